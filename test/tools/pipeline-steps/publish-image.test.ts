import { CreateRepositoryCommand, ECRClient, PutImageCommand, StartImageScanCommand } from '@aws-sdk/client-ecr';
import type { DockerRunner } from '../../../tools/pipeline-steps/docker';
import { publishImage, type PublishOptions } from '../../../tools/pipeline-steps/publish-image';
import { describeEcrError } from '../../../tools/pipeline-steps/scan-gate';
import { IMAGE_TAG, REGION, REGISTRY_ACCOUNT } from '../../helpers/constants';
import { MOTO_ACCOUNT, startMoto, type Moto } from '../../helpers/moto';

function manifest(tag: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1,
      digest: `sha256:${tag.padEnd(64, '0').slice(0, 64)}`,
    },
    layers: [],
  });
}

/**
 * Stands in for a Docker engine: records every call, and on push puts the manifest into the repository and
 * starts its scan, as a real push to a scan-on-push repository does.
 */
class RecordingDocker implements DockerRunner {
  readonly calls: string[][] = [];
  stdin: Array<string | undefined> = [];
  constructor(
    private readonly ecr: ECRClient,
    private readonly failOn?: string,
  ) {}

  async run(args: readonly string[], stdin?: string) {
    this.calls.push([...args]);
    this.stdin.push(stdin);
    if (args[0] === this.failOn) return { code: 1, output: 'step 1/4\nERROR: failed to solve: base image not found' };
    if (args[0] === 'push') {
      const [repositoryUri, tag] = args[1].split(':');
      const repositoryName = repositoryUri.split('/').slice(1).join('/');
      await this.ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest(tag) }));
      await this.ecr.send(new StartImageScanCommand({ repositoryName, imageId: { imageTag: tag } }));
    }
    return { code: 0, output: '' };
  }
}

describe('publish-image against moto ECR', () => {
  let moto: Moto;
  let ecr: ECRClient;
  let repositoryCount = 0;
  beforeAll(async () => {
    moto = await startMoto();
    ecr = new ECRClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  });
  afterAll(() => moto?.stop());

  /** A fresh repository per test, so tests do not see each other's images. */
  async function repository(): Promise<PublishOptions> {
    const repositoryName = `hello/test-${++repositoryCount}`;
    await ecr.send(new CreateRepositoryCommand({ repositoryName, imageScanningConfiguration: { scanOnPush: true } }));
    return {
      registryId: MOTO_ACCOUNT,
      repositoryName,
      tag: IMAGE_TAG,
      platform: 'linux/arm64',
      contextDir: 'docker',
      severityThreshold: 'CRITICAL',
      scanTimeoutSeconds: 2,
      pollIntervalMs: 50,
    };
  }

  /** Puts an image under the tag, as an earlier run would have, optionally scanned. */
  async function existingImage(options: PublishOptions, scanned: boolean): Promise<void> {
    const { repositoryName, tag } = options;
    await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest('x') }));
    if (scanned) await ecr.send(new StartImageScanCommand({ repositoryName, imageId: { imageTag: tag } }));
  }

  test('skips docker entirely when the tag already exists and its scan passes', async () => {
    const options = await repository();
    await existingImage(options, true);
    const docker = new RecordingDocker(ecr);
    const lines: string[] = [];
    const result = await publishImage(ecr, docker, { ...options, log: (l) => lines.push(l) });
    expect(docker.calls).toEqual([]);
    expect(result.alreadyPublished).toBe(true);
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.join('\n')).toContain('skipping the build');
  });

  test('fails an existing tag whose scan has findings at or above the threshold: a re-run cannot bypass the gate', async () => {
    const options = await repository();
    await existingImage(options, true);
    const docker = new RecordingDocker(ecr);
    await expect(publishImage(ecr, docker, { ...options, severityThreshold: 'HIGH' })).rejects.toThrow(
      '1 scan finding(s) at or above HIGH: CVE-9999-9999 (HIGH)',
    );
    expect(docker.calls).toEqual([]);
  });

  test('scans an existing tag that was never scanned before passing it', async () => {
    const options = await repository();
    await existingImage(options, false);
    await expect(
      publishImage(ecr, new RecordingDocker(ecr), { ...options, severityThreshold: 'HIGH' }),
    ).rejects.toThrow('CVE-9999-9999 (HIGH)');
  });

  test('logs in, builds for the platform with the tag baked in, pushes, and returns the digest', async () => {
    const options = await repository();
    const docker = new RecordingDocker(ecr);
    const result = await publishImage(ecr, docker, options);
    const uri = `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${options.repositoryName}:${options.tag}`;
    expect(docker.calls).toEqual([
      ['login', '--username', 'AWS', '--password-stdin', expect.stringMatching(/^https:\/\//)],
      ['build', '--platform', 'linux/arm64', '--build-arg', `IMAGE_TAG=${IMAGE_TAG}`, '--tag', uri, 'docker'],
      ['push', uri],
    ]);
    // The password goes through stdin, never the command line.
    expect(docker.stdin[0]).toBeTruthy();
    expect(docker.calls.flat()).not.toContain(docker.stdin[0]);
    expect(result).toEqual({ alreadyPublished: false, imageUri: uri, digest: expect.stringMatching(/^sha256:/) });
  });

  test('fails naming the findings at or above the threshold', async () => {
    // moto's scan reports one HIGH finding, CVE-9999-9999; a HIGH threshold must stop on it.
    const options = await repository();
    await expect(
      publishImage(ecr, new RecordingDocker(ecr), { ...options, severityThreshold: 'HIGH' }),
    ).rejects.toThrow('1 scan finding(s) at or above HIGH: CVE-9999-9999 (HIGH)');
  });

  test('passes findings below the threshold', async () => {
    const options = await repository();
    await expect(
      publishImage(ecr, new RecordingDocker(ecr), { ...options, severityThreshold: 'CRITICAL' }),
    ).resolves.toMatchObject({
      alreadyPublished: false,
    });
  });

  test('fails clearly when the repository is missing, before any docker call', async () => {
    const docker = new RecordingDocker(ecr);
    const options = { ...(await repository()), repositoryName: 'does-not-exist' };
    await expect(publishImage(ecr, docker, options)).rejects.toThrow(
      `repository does-not-exist not found in account ${MOTO_ACCOUNT}; deploy the registry stage first`,
    );
    expect(docker.calls).toEqual([]);
  });

  test('fails with a scan timeout when the scan never starts', async () => {
    const options = await repository();
    // A push that lands without a scan: the scan never appears.
    const docker: DockerRunner = {
      run: async (args) => {
        if (args[0] === 'push') {
          await ecr.send(
            new PutImageCommand({
              repositoryName: options.repositoryName,
              imageTag: options.tag,
              imageManifest: manifest('late'),
            }),
          );
        }
        return { code: 0, output: '' };
      },
    };
    await expect(publishImage(ecr, docker, { ...options, scanTimeoutSeconds: 0.3 })).rejects.toThrow(
      new RegExp(`^scan timeout: the scan of ${IMAGE_TAG} was still PENDING after 0.3 s$`),
    );
  });

  test("fails with docker's last line when the build fails, and pushes nothing", async () => {
    const options = await repository();
    const docker = new RecordingDocker(ecr, 'build');
    await expect(publishImage(ecr, docker, options)).rejects.toThrow(
      'docker build failed (exit 1): ERROR: failed to solve: base image not found',
    );
    expect(docker.calls.map((c) => c[0])).toEqual(['login', 'build']);
  });
});

describe('ECR error messages', () => {
  test('name access denied with the repository and account', () => {
    const message = describeEcrError(
      { name: 'AccessDeniedException', message: 'User is not authorized to perform ecr:DescribeRepositories' },
      'hello',
      REGISTRY_ACCOUNT,
    );
    expect(message).toBe(
      `access denied to repository hello in account ${REGISTRY_ACCOUNT} (User is not authorized to perform ecr:DescribeRepositories); check the publisher role`,
    );
  });
});
