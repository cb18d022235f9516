import { spawn, type ChildProcess } from 'node:child_process';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { freePort } from '../../tools/local/local-nginx';

/**
 * The account moto answers as for its default credentials. moto serves any number of accounts from one server: STS
 * AssumeRole into `arn:aws:iam::<account>:role/<any>` returns credentials that act in that account. It evaluates no
 * IAM, trust, repository or endpoint policy; test/permissions does that with an IAM policy evaluator.
 */
export const MOTO_ACCOUNT = '123456789012';

export interface Moto {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Credentials that act in `account` on this moto, as the role `roleArn` there. */
export async function motoCredentials(
  endpoint: string,
  roleArn: string,
): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'test' }));
  return {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
}

/** Starts moto's server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error(`moto_server did not start on ${endpoint}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
