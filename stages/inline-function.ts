import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions, buildSync } from 'esbuild';
import { version as ESBUILD_VERSION } from 'esbuild/package.json';
import { acknowledge } from './nag';
import { fileHash, synthCached } from './synth-cache';

/** The Lambda handlers: runtime code, kept apart from the constructs (runtime/README.md). */
const LAMBDA_RUNTIME_DIR = path.join(__dirname, '..', 'runtime', 'lambda');

const PROJECT_ROOT = path.join(__dirname, '..');
const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: true,
  // The Lambda Node.js runtime provides the AWS SDK v3.
  external: ['@aws-sdk/*'],
  write: false,
  metafile: true,
  logLevel: 'silent',
  absWorkingDir: PROJECT_ROOT,
} as const satisfies BuildOptions;

/** A bundle, with the SHA-256 of each file esbuild read for it: the bundle holds while they are unchanged. */
interface Bundle {
  readonly code: string;
  readonly inputs: Record<string, string | undefined>;
}

/** The cache key of an entry file's bundle: what esbuild's output depends on besides the files it reads. */
export const bundleKey = (entry: string) => [ESBUILD_VERSION, JSON.stringify(BUNDLE_OPTIONS), entry];

/**
 * An entry file and what it imports, bundled by esbuild into one minified CommonJS file. Kept between synths (a
 * quarter of a second each): esbuild's output depends only on its version, its options and the files it read.
 */
export function bundleHandler(entry: string): string {
  return synthCached<Bundle>(
    'lambda-bundles',
    bundleKey(entry),
    () => {
      // Loaded only to bundle: a synth whose bundles are all kept never needs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as { buildSync: typeof buildSync };
      const result = esbuild.buildSync({ ...BUNDLE_OPTIONS, entryPoints: [entry] });
      const read = Object.keys(result.metafile.inputs).map((file) => path.resolve(PROJECT_ROOT, file));
      return {
        code: result.outputFiles[0].text,
        inputs: Object.fromEntries(read.map((file) => [file, fileHash(file)])),
      };
    },
    (bundle) => Object.entries(bundle.inputs).every(([file, hash]) => fileHash(file) === hash),
  ).code;
}

const bundles = new Map<string, string>();

/** A handler file of runtime/lambda/, bundled with what it imports into a few KiB, for InlineFunction's source. */
export function inlineBundle(handlerFile: string): string {
  let code = bundles.get(handlerFile);
  if (code === undefined) {
    code = bundleHandler(path.join(LAMBDA_RUNTIME_DIR, handlerFile));
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
