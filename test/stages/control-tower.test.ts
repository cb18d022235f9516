import { Duration, Stack, Stage, type CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildDeliveryApp } from '../../pipeline/build-app';
import { checkStageWithControlTower, controlTowerViolations } from '../../stages/control-tower';
import { controlTowerRules } from '../../stages/control-tower-rules';
import { CONTROL_TOWER_ACKNOWLEDGEMENTS } from '../../stages/control-tower-acknowledgements';
import { LOG_KEY_ID, LogKey } from '../../stages/log-encryption';
import { configWith, newProjectApp } from '../helpers/cdk';
import { IMAGE_TAG, PRODUCTION_ACCOUNT, REGION } from '../helpers/constants';
import { templatesIn } from '../helpers/cfn-lint';
import { VARIANTS } from '../matrix/variants';

const ENV = { account: PRODUCTION_ACCOUNT, region: REGION };

/** The controls whose acknowledgement covers the resource. */
const acknowledgedFor = (resource: Construct) =>
  CONTROL_TOWER_ACKNOWLEDGEMENTS.filter((ack) => ack.covers(resource.node.defaultChild as CfnResource)).map(
    (ack) => ack.control,
  );

describe("AWS Control Tower's proactive controls in every stage", () => {
  test('fail synth on a resource that breaks one, naming the control', () => {
    // GIVEN a stage checked like the project's, with a bucket that has no versioning
    const app = newProjectApp();
    const stage = new Stage(app, 'Careless', { env: ENV });
    new s3.Bucket(new Stack(stage, 'Careless'), 'Unversioned', { enforceSSL: true });
    checkStageWithControlTower(stage);
    // WHEN the app is synthesized THEN the control stops it
    expect(() => app.synth()).toThrow(/CT\.S3\.PR\.11/);
  });

  test('fail synth on a container that runs as root, which the service no longer does', () => {
    const app = newProjectApp();
    const stage = new Stage(app, 'Root', { env: ENV });
    const stack = new Stack(stage, 'Root');
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('Web', { image: ecs.ContainerImage.fromRegistry('nginx'), memoryLimitMiB: 512 });
    checkStageWithControlTower(stage);
    expect(() => app.synth()).toThrow(/CT\.ECS\.PR\.3/);
  });
});

describe('each acknowledgement covers only the resources its reason describes', () => {
  const app = newProjectApp();
  const stack = new Stack(app, 'Resources', { env: ENV });
  const withKey = new Stack(app, 'WithKey', { env: ENV, stackName: 'with-key' });
  new LogKey(withKey, LOG_KEY_ID);

  test('SSE-S3 buckets, not buckets under a KMS key', () => {
    const plain = new s3.Bucket(stack, 'Plain', { encryption: s3.BucketEncryption.S3_MANAGED });
    const kms = new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS_MANAGED });
    expect(acknowledgedFor(plain)).toContain('CT.S3.PR.10');
    expect(acknowledgedFor(kms)).not.toContain('CT.S3.PR.10');
    // Server access logging is acknowledged only on the log sinks, by their construct id.
    expect(acknowledgedFor(plain)).not.toContain('CT.S3.PR.2');
    expect(acknowledgedFor(new s3.Bucket(stack, 'AccessLogs'))).toContain('CT.S3.PR.2');
  });

  test('log groups kept under a year, and only in a stack without a log key', () => {
    expect(acknowledgedFor(new logs.LogGroup(stack, 'Month', { retention: 30 }))).toEqual(
      expect.arrayContaining(['CT.CLOUDWATCH.PR.2', 'CT.CLOUDWATCH.PR.3']),
    );
    expect(acknowledgedFor(new logs.LogGroup(stack, 'Year', { retention: 365 }))).not.toContain('CT.CLOUDWATCH.PR.2');
    expect(acknowledgedFor(new logs.LogGroup(withKey, 'Encrypted'))).not.toContain('CT.CLOUDWATCH.PR.3');
  });

  test('privileged CodeBuild projects only', () => {
    const project = (id: string, privileged: boolean): codebuild.Project =>
      new codebuild.Project(stack, id, {
        buildSpec: codebuild.BuildSpec.fromObject({ version: '0.2' }),
        environment: { privileged },
      });
    expect(acknowledgedFor(project('Docker', true))).toContain('CT.CODEBUILD.PR.4');
    expect(acknowledgedFor(project('Unprivileged', false))).not.toContain('CT.CODEBUILD.PR.4');
  });

  test('alarms without actions; functions in a VPC or the default-group closer, not any function outside one', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Test', metricName: 'Errors' });
    expect(
      acknowledgedFor(new cloudwatch.Alarm(stack, 'Silent', { metric, threshold: 1, evaluationPeriods: 1 })),
    ).toContain('CT.CLOUDWATCH.PR.1');
    const outside = new lambda.Function(stack, 'Outside', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      timeout: Duration.seconds(3),
    });
    expect(acknowledgedFor(outside)).not.toContain('CT.LAMBDA.PR.3');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const inside = new lambda.Function(stack, 'Inside', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      vpc,
    });
    expect(acknowledgedFor(inside)).toContain('CT.LAMBDA.PR.3');
  });
});

describe('rules run together over templates cut down to the types they read', () => {
  test('find exactly what one run of every rule over the whole templates finds', () => {
    // GIVEN the templates of the variant with the most resource types: HTTPS in a zone, a diagnostics host, log keys
    const app = newProjectApp();
    buildDeliveryApp(app, configWith(VARIANTS['internet-https-zone'].change), IMAGE_TAG);
    const templatePaths = templatesIn(app.synth().directory);
    const context = { templatePaths, appConstruct: app };
    // WHEN every rule runs in one cfn-guard process over the whole templates, and as synth runs them
    const rules = controlTowerRules();
    const types = new Set(
      templatePaths.flatMap((file) =>
        Object.values(
          (JSON.parse(readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string }> }).Resources,
        ).map((r) => r.Type),
      ),
    );
    // (A rule with no resource of its types finds nothing: running only the others keeps the test quick.)
    const applicable = rules.filter((r) => r.types.some((type) => types.has(type))).map((r) => r.file);
    const whole = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: applicable });
    const findings = (violations: ReturnType<typeof controlTowerViolations>) =>
      violations
        .flatMap((v) =>
          v.violatingResources.map(
            (r) => `${v.ruleName} ${path.basename(r.templatePath)} ${r.resourceLogicalId} ${r.locations.join(',')}`,
          ),
        )
        .sort();
    const expected = findings(whole.validate(context).violations);
    // THEN both find the same resources failing the same rules at the same places, and there are some to find
    expect(findings(controlTowerViolations(context, rules))).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
  });
});
