// What this project leaves failing of AWS Control Tower's proactive controls, each with its reason, and the aspect
// that acknowledges them on exactly the resources each reason describes.
import { CfnResource, Stack, Validations, type IAspect } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { CONTROL_TOWER_PLUGIN } from './control-tower-rules';
import { LogKey } from './log-encryption';
import { DefaultSecurityGroupCloser } from './network/default-security-group-closer';
import { DiagnosticsHost } from './network/diagnostics-host';
import { TEST_LISTENER_PORT } from './network/load-balancer';
import { HookRelay } from './service/hook-relay';

/**
 * A Control Tower rule this project leaves failing on some resources, and why. `covers` reads each resource itself,
 * never its path: a resource the reason does not describe is not covered, and fails synth.
 */
export interface ControlTowerAcknowledgement {
  /** The control, such as CT.S3.PR.9. */
  readonly control: string;
  /** The cfn-guard rule name the plugin reports. */
  readonly rule: string;
  readonly covers: (resource: CfnResource) => boolean;
  readonly reason: string | ((resource: CfnResource) => string);
}

const ofType = (resource: CfnResource, type: string) => resource.cfnResourceType === type;
const within = (resource: IConstruct, kind: abstract new (...args: never[]) => IConstruct) =>
  resource.node.scopes.some((scope) => scope instanceof kind);
const resolved = (resource: CfnResource, value: unknown) => Stack.of(resource).resolve(value);

function bucket(resource: CfnResource): s3.CfnBucket | undefined {
  return ofType(resource, 'AWS::S3::Bucket') ? (resource as s3.CfnBucket) : undefined;
}

/** Whether the bucket's default encryption is SSE-S3 (AES256). */
function sseS3(resource: s3.CfnBucket): boolean {
  const encryption = resolved(resource, resource.bucketEncryption);
  return JSON.stringify(encryption ?? {}).includes('"AES256"');
}

/** Whether this bucket receives other resources' access logs: by the id of the construct that owns it. */
function logSink(resource: CfnResource): boolean {
  return /AccessLogs$/.test(resource.node.scope?.node.id ?? '');
}

function listener(resource: CfnResource): elbv2.CfnListener | undefined {
  return ofType(resource, 'AWS::ElasticLoadBalancingV2::Listener') ? (resource as elbv2.CfnListener) : undefined;
}

/** Whether the stack's load balancer serves HTTPS anywhere: a plain HTTP listener then is a choice, not a lapse. */
function stackServesHttps(resource: CfnResource): boolean {
  return Stack.of(resource)
    .node.findAll()
    .some((c) => c instanceof CfnResource && listener(c)?.protocol === 'HTTPS');
}

function retentionDays(resource: CfnResource): number | undefined {
  return ofType(resource, 'AWS::Logs::LogGroup') ? (resource as logs.CfnLogGroup).retentionInDays : undefined;
}

/** Every rule this project leaves failing somewhere, with its reason: the one place they are written. */
export const CONTROL_TOWER_ACKNOWLEDGEMENTS: readonly ControlTowerAcknowledgement[] = [
  {
    control: 'CT.CLOUDWATCH.PR.1',
    rule: 'cloudwatch_alarm_action_check',
    covers: (r) => ofType(r, 'AWS::CloudWatch::Alarm') && !resolved(r, (r as cloudwatch.CfnAlarm).alarmActions)?.length,
    reason:
      'A deployment alarm: ECS reads it and rolls a bad deployment back by itself. No environments[].alarmTopicArn ' +
      'is configured to tell people too',
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    rule: 'cloudwatch_log_group_retention_period_check',
    covers: (r) => (retentionDays(r) ?? 365) < 365,
    reason: (r) =>
      `Kept ${retentionDays(r)} days, as network.logRetentionDays or service.logRetentionDays sets; a year keeps ` +
      `${Math.round(365 / retentionDays(r)!)} times the stored logs, at $0.03 a GB-month`,
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    rule: 'cloudwatch_log_group_encrypted_check',
    covers: (r) => ofType(r, 'AWS::Logs::LogGroup') && LogKey.of(Stack.of(r)) === undefined,
    reason:
      'logEncryption is aws-owned: CloudWatch Logs encrypts with its own keys. customer-key adds a KMS key per stack, ' +
      'at $1 a month each',
  },
  {
    control: 'CT.CODEBUILD.PR.4',
    rule: 'codebuild_project_environment_privileged_check',
    covers: (r) =>
      ofType(r, 'AWS::CodeBuild::Project') &&
      (resolved(r, (r as codebuild.CfnProject).environment) as { privilegedMode?: boolean }).privilegedMode === true,
    reason:
      'PublishImage, the one privileged project, builds the image with Docker, which needs privileged mode ' +
      '(CodeBuild user guide, "Docker in custom image sample")',
  },
  ...[
    'CT.EC2.PR.10:ec2_launch_template_monitoring_enabled_check',
    'CT.EC2.PR.13:ec2_instance_detailed_monitoring_enabled_check',
  ].map((entry): ControlTowerAcknowledgement => ({
    control: entry.split(':')[0],
    rule: entry.split(':')[1],
    covers: (r) => within(r, DiagnosticsHost),
    reason:
      'The diagnostics host (network.diagnosticsHost, off by default) is a throwaway instance for DNS checks: ' +
      'detailed monitoring would add about $2 a month and watch nothing',
  })),
  {
    control: 'CT.EC2.PR.19',
    rule: 'ec2_instance_nitro_encryption_in_transit_check',
    covers: (r) => within(r, DiagnosticsHost),
    reason:
      'The diagnostics host is a t4g.nano, far below the Nitro types that encrypt traffic between instances; it ' +
      'talks only TLS to the interface endpoints, and to no other instance',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.1',
    rule: 'alb_http_to_https_redirection_check',
    covers: (r) => listener(r)?.port === TEST_LISTENER_PORT,
    reason:
      'The blue/green test listener: only the VPC reaches it, and ECS forwards it to the new tasks, so it cannot ' +
      'be a redirect',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.1',
    rule: 'alb_http_to_https_redirection_check',
    covers: (r) => listener(r)?.protocol === 'HTTP' && listener(r)?.port === 80 && !stackServesHttps(r),
    reason:
      'No domain with a certificate is configured for this environment, so HTTP is its only listener; ' +
      'network.domainName with a zone or certificateArn turns this one into a redirect to HTTPS',
  },
  {
    control: 'CT.ELASTICLOADBALANCING.PR.5',
    rule: 'elbv2_deletion_protection_enabled_check',
    covers: (r) =>
      ofType(r, 'AWS::ElasticLoadBalancingV2::LoadBalancer') &&
      JSON.stringify(resolved(r, (r as elbv2.CfnLoadBalancer).loadBalancerAttributes)).includes(
        '{"key":"deletion_protection.enabled","value":"false"}',
      ),
    reason: 'network.deletionProtection is false for this environment, so its network stack can be removed',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    covers: (r) => ofType(r, 'AWS::Lambda::Function') && within(r, DefaultSecurityGroupCloser),
    reason:
      'It runs once per network deploy and calls only the EC2 API; from the isolated subnets it would need an ec2 ' +
      'interface endpoint, $7.30 a month per zone, to reach it',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    covers: (r) => ofType(r, 'AWS::Lambda::Function') && within(r, HookRelay),
    reason:
      "The pre-traffic relay calls only the EC2 and Lambda APIs, to find the load balancer's private addresses and " +
      'hand them to the in-VPC verifier; from the isolated subnets that would need an ec2 endpoint, $14.60 a month',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    covers: (r) => {
      if (!ofType(r, 'AWS::Lambda::Function')) return false;
      const vpc = resolved(r, (r as lambda.CfnFunction).vpcConfig) as
        { subnetIds?: unknown[]; securityGroupIds?: unknown[] } | undefined;
      return (vpc?.subnetIds?.length ?? 0) > 0 && (vpc?.securityGroupIds?.length ?? 0) > 0;
    },
    reason:
      'It is in the VPC, with subnets and a group; the subnets come from the network stack through ' +
      'Fn::GetStackOutput, which the rule cannot read at synth as the IDs it expects',
  },
  {
    control: 'CT.S3.PR.2',
    rule: 's3_bucket_logging_enabled_check',
    covers: (r) => !!bucket(r) && !bucket(r)!.loggingConfiguration && logSink(r),
    reason:
      'It is itself the access-log sink of the other buckets or the load balancer; logging it would only move the question',
  },
  {
    control: 'CT.S3.PR.4',
    rule: 's3_event_notifications_enabled_check',
    covers: (r) => !!bucket(r) && !bucket(r)!.notificationConfiguration,
    reason:
      'Nothing reacts to objects arriving here: the pipeline reads them when it runs, and CloudTrail records access',
  },
  {
    control: 'CT.S3.PR.9',
    rule: 's3_bucket_object_lock_enabled_check',
    covers: (r) => !!bucket(r) && !bucket(r)!.objectLockEnabled,
    reason:
      'Lifecycle rules expire these objects to keep the bucket small; Object Lock would hold them past their use. ' +
      'Versioning keeps what is overwritten or deleted for a day (the source bucket: 30 days)',
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    covers: (r) => !!bucket(r) && sseS3(bucket(r)!),
    reason: (r) =>
      logSink(r)
        ? 'A log sink: load balancer access logs and S3 server access logs support only SSE-S3 on their target ' +
          'bucket (Elastic Load Balancing user guide, "Access logs"; S3 user guide, "Enabling server access logging")'
        : "It holds the repository's commits or the build's npm cache, neither secret; SSE-S3 encrypts them at rest, " +
          "and a KMS key would charge for every build's reads",
  },
];

/** Acknowledges, on each resource, the rules whose reason describes it. */
export class AcknowledgeControlTowerRules implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    for (const ack of CONTROL_TOWER_ACKNOWLEDGEMENTS) {
      if (!ack.covers(node)) continue;
      const reason = typeof ack.reason === 'string' ? ack.reason : ack.reason(node);
      Validations.of(node).acknowledge({
        id: `${CONTROL_TOWER_PLUGIN}::${ack.rule}`,
        reason: `${ack.control}: ${reason}`,
      });
    }
  }
}
