import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createDeliveryStages } from '../../pipeline/delivery-stages';
import { configWith, newProjectApp, PROJECT_ROOT } from '../helpers/cdk';
import { IMAGE_TAG } from '../helpers/constants';
import { modelImage, modelTask, startAsFargateTask, type FargateNginx, type TaskModel } from '../helpers/fargate-task';

const DOCKER_DIR = path.join(PROJECT_ROOT, 'docker');
const DOCKERFILE = readFileSync(path.join(DOCKER_DIR, 'Dockerfile'), 'utf8');

// GIVEN the task definition the service stage really deploys, synthesized once for the file
const stages = createDeliveryStages(newProjectApp(), configWith(), IMAGE_TAG);
const taskDefinitions = Template.fromStack(stages.environments[0].service.stack).findResources(
  'AWS::ECS::TaskDefinition',
);
const task: TaskModel = modelTask(Object.values(taskDefinitions)[0].Properties);

describe('the image as Fargate runs it', () => {
  let server: FargateNginx | undefined;
  afterAll(() => server?.stop());

  test('the task mounts volumes over a read-only root, and the image runs as a non-root user', () => {
    expect(task.readonlyRootFilesystem).toBe(true);
    expect(task.mounts.map((m) => m.containerPath).sort()).toEqual(['/tmp', '/var/cache/nginx']);
    expect(task.user ?? modelImage(DOCKERFILE).user).toBe('nginx');
  });

  test('every writable path is a VOLUME in the Dockerfile, owned by the image user', () => {
    const image = modelImage(DOCKERFILE);
    for (const { containerPath } of task.mounts) {
      expect(image.volumes).toContain(containerPath);
      expect(image.directories.get(containerPath)?.owner).toBe(image.user);
    }
  });

  test('nginx starts as the image user and serves every page', async () => {
    // WHEN the task starts with its volumes prepared as Fargate prepares them
    server = await startAsFargateTask(DOCKER_DIR, task);
    // THEN it answers health checks and pages, and wrote its pid and temp folders into the volumes
    for (const [page, marker] of [
      ['/healthz', 'ok'],
      ['/', 'data-page="hello-privatelink"'],
      ['/version', ''],
    ]) {
      const response = await fetch(`${server.url}${page}`, { signal: AbortSignal.timeout(5000) });
      expect([page, response.status]).toEqual([page, 200]);
      expect(await response.text()).toContain(marker);
    }
    expect(readFileSync(path.join(server.root, 'tmp/nginx.pid'), 'utf8')).toMatch(/^\d+\n$/);
  });

  test('fails to start when the Dockerfile does not declare the volumes: Fargate mounts them root-owned', async () => {
    // GIVEN the same image without its VOLUME lines
    const withoutVolumes = DOCKERFILE.split('\n')
      .filter((line) => !line.startsWith('VOLUME'))
      .join('\n');
    expect(withoutVolumes).not.toEqual(DOCKERFILE);
    // WHEN Fargate runs it, THEN nginx cannot write its pid or temp files
    await expect(startAsFargateTask(DOCKER_DIR, task, withoutVolumes)).rejects.toThrow(/Permission denied/);
  });
});
