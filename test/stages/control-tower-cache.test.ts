import { Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { checkStageWithControlTower } from '../../stages/control-tower';
import { newProjectApp } from '../helpers/cdk';

const ENV = { account: '333333333333', region: 'us-east-2' };

/**
 * What synth says of an app whose one stage holds a bucket, versioned or not (CT.S3.PR.11 wants versioning),
 * named by `id`. A bare bucket fails other controls too.
 */
function synthBucket(id: string, versioned: boolean): string {
  const app = newProjectApp();
  const stage = new Stage(app, 'Cached', { env: ENV });
  new s3.Bucket(new Stack(stage, 'Cached'), id, { enforceSSL: true, versioned });
  checkStageWithControlTower(stage);
  try {
    app.synth();
    return 'passed';
  } catch (error) {
    // Less the report's copy, which each app writes in its own folder.
    return (error as Error).message.replace(/A copy of this report can be found in: .*/, '');
  }
}

describe('findings kept between synths', () => {
  afterEach(() => jest.restoreAllMocks());

  test('are reused for the same rules and resources, and never for changed ones', () => {
    const guard = jest.spyOn(CfnGuardValidator.prototype, 'validate');
    // A name of its own, so that no earlier run has these resources in the cache.
    const id = `Bucket${process.pid}${Date.now()}`;
    const first = synthBucket(id, false);
    expect(first).toContain('[CT.S3.PR.11]');
    const runs = guard.mock.calls.length;
    expect(runs).toBeGreaterThan(0);
    // WHEN the same app is synthesized again THEN cfn-guard does not run, and synth says the same
    expect(synthBucket(id, false)).toBe(first);
    expect(guard.mock.calls.length).toBe(runs);
    // WHEN the bucket is versioned THEN cfn-guard runs again on it: that control passes, the others still fail
    const versioned = synthBucket(id, true);
    expect(guard.mock.calls.length).toBeGreaterThan(runs);
    expect(versioned).not.toContain('[CT.S3.PR.11]');
    expect(versioned).toContain('[CT.S3.PR.6]');
  });
});
