import { Stack, Stage, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { checkStageWithCdkNag } from '../../stages/nag';
import { newProjectApp } from '../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGION } from '../helpers/constants';

describe('cdk-nag in every stage', () => {
  test('fails synth on a deliberately non-compliant resource inside a Stage', () => {
    // GIVEN a stage checked like the project's stages, holding a bucket that allows plain HTTP
    const app = newProjectApp();
    const stage = new Stage(app, 'Careless', { env: { account: PRODUCTION_ACCOUNT, region: REGION } });
    new s3.Bucket(new Stack(stage, 'Careless'), 'OpenBucket');
    checkStageWithCdkNag(stage);
    // WHEN the app is synthesized THEN the AwsSolutions findings stop it
    expect(() => app.synth()).toThrow(/does not require requests to use SSL[\s\S]*AwsSolutions-S10/);
  });

  test('lets an acknowledged finding through, and only that one', () => {
    const app = newProjectApp();
    const stage = new Stage(app, 'Acknowledged', { env: { account: PRODUCTION_ACCOUNT, region: REGION } });
    const bucket = new s3.Bucket(new Stack(stage, 'Acknowledged'), 'LogBucket', { enforceSSL: true });
    checkStageWithCdkNag(stage);
    Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'test: this bucket is a log sink' });
    expect(() => app.synth()).not.toThrow();
  });
});
