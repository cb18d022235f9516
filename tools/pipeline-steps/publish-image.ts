// `publish-image [--config FILE] [--role-arn ARN] [--dry-run]`: build the image from docker/ and push it to
// Account A's repository under its content tag, unless that tag is already there; then wait for the scan
// on push and fail on findings at or above the configured severity. The pipeline runs it in a privileged
// CodeBuild step that assumes the registry's publisher role; a person can run it locally the same way.
import {
  DescribeImageScanFindingsCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  StartImageScanCommand,
} from '@aws-sdk/client-ecr';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load';
import { publisherRoleArn } from '../../config/names';
import { DOCKER_CONTEXT_DIR } from '../../runtime/image-tag';
import { awsBoundsText, boundedClient, boundedClientConfig } from '../cli/aws';
import { CommandError, parseCommandLine, roleArn as checkRoleArn, runCommand, seconds } from '../cli/command';
import { configFlag } from '../cli/config-flag';
import { checkedContentTag } from '../cli/docker-context';
import { docker, dockerCli, type DockerRunner } from './docker';
import { describeEcrError, passScanGate, type ScanGateOptions } from './scan-gate';

export interface PublishOptions extends ScanGateOptions {
  /** Docker platform, such as linux/arm64. */
  readonly platform: string;
  readonly contextDir: string;
  readonly log?: (line: string) => void;
}

export interface PublishResult {
  /** True when the tag was already in the repository and nothing was built. */
  readonly alreadyPublished: boolean;
  readonly imageUri: string;
  readonly digest?: string;
}

async function ecrCall<T>(label: string, call: () => Promise<T>, options: PublishOptions): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new CommandError(describeEcrError(error, options.repositoryName, options.registryId, `ECR ${label}`));
  }
}

/** Publishes the image; throws CommandError with a one-line reason. */
export async function publishImage(
  ecr: ECRClient,
  runner: DockerRunner,
  options: PublishOptions,
): Promise<PublishResult> {
  const log = options.log ?? (() => {});
  const { repositoryName, registryId, tag } = options;

  const repositories = await ecrCall(
    'DescribeRepositories',
    () => ecr.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [repositoryName] })),
    options,
  );
  const repositoryUri = repositories.repositories?.[0]?.repositoryUri;
  if (!repositoryUri)
    throw new CommandError(describeEcrError({ name: 'RepositoryNotFoundException' }, repositoryName, registryId));
  const imageUri = `${repositoryUri}:${tag}`;

  const existing = await ecr
    .send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: tag }] }))
    .catch((error: Error) => {
      if (error.name === 'ImageNotFoundException') return undefined;
      throw new CommandError(describeEcrError(error, repositoryName, registryId, 'ECR DescribeImages'));
    });
  const existingDigest = existing?.imageDetails?.[0]?.imageDigest;
  if (existingDigest) {
    log(`${imageUri} already exists (${existingDigest}); nothing changed in ${options.contextDir}, skipping the build`);
    // The scan gate holds for an existing tag too: a re-run must not deploy an image whose scan failed.
    const scanned = await ecr
      .send(new DescribeImageScanFindingsCommand({ registryId, repositoryName, imageId: { imageTag: tag } }))
      .then(
        () => true,
        (error: Error) => {
          if (error.name === 'ScanNotFoundException') return false;
          throw new CommandError(describeEcrError(error, repositoryName, registryId, 'ECR DescribeImageScanFindings'));
        },
      );
    if (!scanned) {
      log('  it was never scanned; starting a scan');
      await ecrCall(
        'StartImageScan',
        () => ecr.send(new StartImageScanCommand({ registryId, repositoryName, imageId: { imageTag: tag } })),
        options,
      );
    }
    await passScanGate(ecr, options, log);
    return { alreadyPublished: true, imageUri, digest: existingDigest };
  }

  const auth = await ecrCall(
    'GetAuthorizationToken',
    () => ecr.send(new GetAuthorizationTokenCommand({ registryIds: [registryId] })),
    options,
  );
  const token = auth.authorizationData?.[0];
  const [user, password] = Buffer.from(token?.authorizationToken ?? '', 'base64')
    .toString()
    .split(':');
  log(`logging in to ${token?.proxyEndpoint}`);
  await docker(
    runner,
    'login',
    ['login', '--username', user, '--password-stdin', token?.proxyEndpoint ?? ''],
    password,
  );
  log(`building ${imageUri} for ${options.platform}`);
  await docker(runner, 'build', [
    'build',
    '--platform',
    options.platform,
    '--build-arg',
    `IMAGE_TAG=${tag}`,
    '--tag',
    imageUri,
    options.contextDir,
  ]);
  log(`pushing ${imageUri}`);
  await docker(runner, 'push', ['push', imageUri]);

  await passScanGate(ecr, options, log);
  const pushed = await ecrCall(
    'DescribeImages',
    () => ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageTag: tag }] })),
    options,
  );
  const digest = pushed.imageDetails?.[0]?.imageDigest;
  log(`published ${imageUri}@${digest}`);
  return { alreadyPublished: false, imageUri, digest };
}

const SPEC = {
  name: 'publish-image',
  usage: `
usage: npm run publish-image -- [--config FILE] [--role-arn ARN] [--scan-timeout SECONDS] [--dry-run]

Builds docker/ and pushes it to the registry account's repository under its content tag, unless the tag is
there; either way waits for the tag's scan and fails on findings at or above pipeline.scanSeverityThreshold.

  --config FILE             the deployment configuration (default ${DEFAULT_CONFIG_PATH}), the same file synth uses
  --role-arn ARN            the role to push as (default: the registry's publisher role)
  --scan-timeout SECONDS    how long to wait for the scan (default 600)
  --dry-run                 print the steps and call nothing
  --help                    print this and do nothing

${awsBoundsText()}
`,
  options: {
    config: { type: 'string' },
    'role-arn': { type: 'string' },
    'scan-timeout': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
} as const;

async function main(): Promise<number> {
  const parsed = parseCommandLine(SPEC, process.argv.slice(2));
  if (!parsed) return 0;
  const config = loadConfig(configFlag(parsed.values.config));
  const args = {
    roleArn: parsed.values['role-arn'] && checkRoleArn('--role-arn', parsed.values['role-arn'], config.partition),
    dryRun: parsed.values['dry-run'] === true,
    scanTimeoutSeconds: seconds('--scan-timeout', parsed.values['scan-timeout'], 600),
  };
  const options: PublishOptions = {
    registryId: config.registry.account,
    repositoryName: config.registry.repositoryName,
    tag: checkedContentTag(),
    platform: config.service.cpuArchitecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64',
    contextDir: DOCKER_CONTEXT_DIR,
    severityThreshold: config.pipeline.scanSeverityThreshold,
    scanTimeoutSeconds: args.scanTimeoutSeconds,
    log: (line) => console.log(line),
  };
  const publisher = args.roleArn ?? publisherRoleArn(config.partition, config.registry.account, config.projectName);
  const registry = `${config.registry.account}.dkr.ecr.${config.region}.${config.domainSuffix}`;
  const uri = `${registry}/${options.repositoryName}:${options.tag}`;
  if (args.dryRun) {
    console.log(
      [
        `publish-image (dry run): nothing is called`,
        `  assume ${publisher}`,
        `  skip the build if ${uri} exists (ecr:DescribeImages), but still pass its scan gate`,
        `  docker login ${registry}`,
        `  docker build --platform ${options.platform} --build-arg IMAGE_TAG=${options.tag} --tag ${uri} ${options.contextDir}`,
        `  docker push ${uri}`,
        `  wait up to ${options.scanTimeoutSeconds} s for the scan on push; fail on ${options.severityThreshold} or worse`,
      ].join('\n'),
    );
    return 0;
  }
  const ecr = boundedClient(ECRClient, {
    region: config.region,
    credentials: fromTemporaryCredentials({
      params: { RoleArn: publisher, RoleSessionName: 'publish-image' },
      clientConfig: boundedClientConfig({ region: config.region }),
    }),
  });
  const result = await publishImage(ecr, dockerCli, options);
  console.log(result.alreadyPublished ? `image ${result.imageUri} unchanged` : `image digest ${result.digest}`);
  return 0;
}

if (require.main === module) runCommand(SPEC.name, main);
