import { Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
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

  test('keeps its findings between synths of the same resources, and checks a changed one again', () => {
    const walks = jest.spyOn(AwsSolutionsChecks.prototype, 'validate');
    // A name of its own, so that no earlier run has these resources kept.
    const id = `Group${process.pid}${Date.now()}`;
    /** What synth says of a security group that admits SSH from `cidrIp`: only its properties change. */
    const synth = (cidrIp: string) => {
      const app = newProjectApp();
      const stage = new Stage(app, 'Kept', { env: { account: PRODUCTION_ACCOUNT, region: REGION } });
      new ec2.CfnSecurityGroup(new Stack(stage, 'Kept'), id, {
        groupDescription: 'SSH',
        securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp }],
      });
      checkStageWithCdkNag(stage);
      try {
        app.synth();
        return 'passed';
      } catch (error) {
        return (error as Error).message;
      }
    };
    const open = synth('0.0.0.0/0');
    expect(open).toContain('AwsSolutions-EC23');
    const runs = walks.mock.calls.length;
    expect(runs).toBeGreaterThan(0);
    // WHEN the same app is synthesized again THEN the pack does not walk it, and synth fails the same way
    expect(synth('0.0.0.0/0').replace(/report can be found in: .*/, '')).toBe(
      open.replace(/report can be found in: .*/, ''),
    );
    expect(walks.mock.calls.length).toBe(runs);
    // WHEN only the rule's CIDR changes THEN the pack walks it again, and finds nothing
    expect(synth('10.0.0.0/8')).toBe('passed');
    expect(walks.mock.calls.length).toBeGreaterThan(runs);
    walks.mockRestore();
  });
});
