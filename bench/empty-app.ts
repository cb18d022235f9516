// The baseline for the synth benchmark: one empty stack, with the same App options as bin/app.ts, run the same way,
// so the ratio measures what the project's constructs cost and nothing else.
import { App, Stack } from 'aws-cdk-lib';

const app = new App({ builtinCloudFormationValidation: false });
new Stack(app, 'Empty');
app.synth();
