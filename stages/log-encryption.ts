import { ArnFormat, Aspects, RemovalPolicy, Stack, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { LogEncryption } from '../config/load';

/** The construct id of a stack's log key: the Control Tower acknowledgements look for it. */
export const LOG_KEY_ID = 'LogKey';

/**
 * A customer-managed key for every log group of one stack (CT.CLOUDWATCH.PR.3). One key per stack, not one per
 * environment: turning it off then removes a key only after the same stack's log groups have let go of it.
 */
export class LogKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Stack, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the log groups of ${scope.stackName}`,
      enableKeyRotation: true,
      // Kept when turned off: log events written under it stay readable until the groups' retention ends.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with its own service principal, scoped by the log group in the encryption context
    // (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS Key Management Service").
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${scope.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': scope.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    denyGrantsExceptForAwsServices(this.key);
    Aspects.of(scope).add(new EncryptLogGroups(this.key));
  }

  /** The stack's log key, if it has one. */
  static of(stack: Stack): LogKey | undefined {
    return stack.node.tryFindChild(LOG_KEY_ID) as LogKey | undefined;
  }
}

/** Gives every log group of the stack the key, CDK's own included (Lambda's, flow logs'). */
class EncryptLogGroups implements IAspect {
  constructor(private readonly key: kms.IKey) {}

  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.key.keyArn;
  }
}

/**
 * Grants on the key only for AWS services acting for a principal (CT.KMS.PR.3: a Deny on kms:CreateGrant unless
 * kms:GrantIsForAWSResource or aws:PrincipalIsAWSService, with BoolIfExists).
 */
export function denyGrantsExceptForAwsServices(key: kms.IKey): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: {
        BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
      },
    }),
  );
}

/** Adds a log key to the stack when config asks for one. */
export function encryptLogs(stack: Stack, encryption: LogEncryption): void {
  if (encryption === 'customer-key') new LogKey(stack, LOG_KEY_ID);
}
