import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { buildSync } from 'esbuild';
import { acknowledge } from './nag';

/** The Lambda handlers: runtime code, kept apart from the constructs (runtime/README.md). */
const LAMBDA_RUNTIME_DIR = path.join(__dirname, '..', 'runtime', 'lambda');

const bundles = new Map<string, string>();

/**
 * A handler file of runtime/lambda/ and what it imports, bundled by esbuild into one minified CommonJS file of a few
 * KiB, for InlineFunction's source.
 */
export function inlineBundle(handlerFile: string): string {
  let code = bundles.get(handlerFile);
  if (code === undefined) {
    code = buildSync({
      entryPoints: [path.join(LAMBDA_RUNTIME_DIR, handlerFile)],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      // The Lambda Node.js runtime provides the AWS SDK v3.
      external: ['@aws-sdk/*'],
      write: false,
      logLevel: 'silent',
    }).outputFiles[0].text;
    bundles.set(handlerFile, code);
  }
  return code;
}

export interface InlineFunctionProps extends Omit<
  lambda.FunctionProps,
  'runtime' | 'handler' | 'code' | 'role' | 'logGroup'
> {
  /** The whole handler as CommonJS source, CloudFormation's ZipFile (runtime/README.md: why no file asset). */
  readonly source: string;
  /** What the role may do besides writing the function's own logs. */
  readonly statements: readonly iam.PolicyStatement[];
  readonly logRetentionDays: number;
}

/**
 * A Node.js Lambda whose code is inline, with its own log group and a role that may write only there plus the
 * given statements.
 */
export class InlineFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: InlineFunctionProps) {
    super(scope, id);
    const { source, statements, logRetentionDays, ...functionProps } = props;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetentionDays });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
      inlinePolicies: {
        Function: new iam.PolicyDocument({
          statements: [
            ...statements,
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    const logGroupId = Stack.of(this).getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
    acknowledge(this.role, {
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>]`,
      reason: 'A log group ARN ends in :*, which covers the streams the function writes in its own group',
    });
    this.function = new lambda.Function(this, 'Function', {
      ...functionProps,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(source),
      role: this.role,
      logGroup,
    });
  }
}
