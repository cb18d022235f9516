import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { IMAGE_PORT, IMAGE_USER } from '../../stages/service/image-port';
import { PROJECT_ROOT } from '../helpers/cdk';

const dockerfile = DockerfileParser.parse(readFileSync(path.join(PROJECT_ROOT, 'docker/Dockerfile'), 'utf8'));
const instructions = dockerfile.getInstructions();
const args = (keyword: string) =>
  instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');

describe('docker/Dockerfile', () => {
  test('starts from a pinned nginx mainline-alpine image on ECR Public, never latest', () => {
    const froms = dockerfile.getFROMs();
    expect(froms).toHaveLength(1);
    expect(froms[0].getRegistry()).toBe('public.ecr.aws');
    expect(froms[0].getImageName()).toBe('nginx/nginx');
    expect(froms[0].getImageTag()).toMatch(/^\d+\.\d+\.\d+-alpine$/);
  });

  test('runs as a non-root user', () => {
    const users = args('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)(:|$)/);
  });

  test('exposes 8080, stops with SIGQUIT and declares a health check on /healthz', () => {
    expect(args('EXPOSE')).toEqual(['8080']);
    expect(args('STOPSIGNAL')).toEqual(['SIGQUIT']);
    expect(args('HEALTHCHECK').join(' ')).toMatch(/CMD .*http:\/\/127\.0\.0\.1:8080\/healthz/);
  });

  test('bakes the IMAGE_TAG build arg into /version, "dev" by default', () => {
    expect(args('ARG')).toContain('IMAGE_TAG=dev');
    expect(args('RUN').join('\n')).toMatch(/"\$IMAGE_TAG" > \/usr\/share\/nginx\/html\/version/);
  });

  test('ships the repository config and content, and a .dockerignore that admits only those', () => {
    expect(args('COPY')).toEqual(['nginx.conf security-headers.conf /etc/nginx/', 'html/ /usr/share/nginx/html/']);
    const ignore = readFileSync(path.join(PROJECT_ROOT, 'docker/.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
    expect(ignore).toMatch(/^!nginx\.conf$/m);
  });

  test('listens, exposes and health-checks the one port the task definition uses', () => {
    const nginxConf = readFileSync(path.join(PROJECT_ROOT, 'docker/nginx.conf'), 'utf8');
    expect([...nginxConf.matchAll(/^\s*listen (\d+);/gm)].map((m) => Number(m[1]))).toEqual([IMAGE_PORT]);
    expect(args('EXPOSE')).toEqual([String(IMAGE_PORT)]);
    expect(args('HEALTHCHECK').join(' ')).toContain(`http://127.0.0.1:${IMAGE_PORT}/healthz`);
  });

  test('runs as the one user the task definition names', () => {
    expect(args('USER')).toEqual([IMAGE_USER]);
  });
});
