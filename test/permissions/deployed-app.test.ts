// The suites that evaluate the permissions app (deployed-app.ts: every optional resource on), as one test file: they
// share one module registry, so the run synthesizes that configuration once, not once per suite.
import './roles.suite';
import './boundaries.suite';
import './cloudformation.suite';
