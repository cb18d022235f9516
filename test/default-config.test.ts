// The suites that read the default configuration's app, as one test file: they share one module registry, so the
// run builds and synthesizes the default configuration once (helpers/default-delivery.ts), not once per suite.
import './pipeline/app.suite';
import './pipeline/pipeline-stack.suite';
import './pipeline/github-oidc-stack.suite';
import './permissions/task-pull.suite';
import './permissions/tool-calls.suite';
import './tools/operator/deploy-rollback.suite';
import './tools/operator/drift-targets.suite';
import './tools/report/report.suite';
