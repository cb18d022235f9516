// How `npm run status` reaches AWS: as each account's lookup role (lookup-role.ts), every call ending by the
// command's deadline and named, and a failed read kept as that part's reason instead of failing the command.
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { DeployConfig } from '../../config/load';
import { lookupRoleArn } from '../../config/names';
import { awsCall } from '../cli/aws';
import { lookupRoleCredentials } from './lookup-role';
import type { Read, Unreadable } from './status-report';

interface Sender {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Makes calls that end by the command's deadline and fail naming themselves, such as `ECS DescribeServices`. */
export function caller(deadline: number) {
  return async <T>(service: string, client: Sender, command: { constructor: { name: string } }): Promise<T> =>
    awsCall(`${service} ${command.constructor.name.replace(/Command$/, '')}`, () =>
      client.send(command, { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) }),
    ) as Promise<T>;
}
export type Call = ReturnType<typeof caller>;

/** The message of a failed read, for the report. */
const unreadable = (error: unknown): Unreadable => ({
  unreadable: error instanceof Error ? error.message.split('\n')[0] : String(error),
});

/** Runs a read; its failure becomes the part's "unreadable" reason instead of the command's. */
export async function read<T>(reading: () => Promise<T>): Promise<Read<T>> {
  try {
    return await reading();
  } catch (error) {
    return unreadable(error);
  }
}

type Credentials = Awaited<ReturnType<ReturnType<typeof fromTemporaryCredentials>>>;

/** One account's lookup role, and its credentials or why they could not be had. */
export interface Account {
  readonly role: string;
  readonly credentials: Read<Credentials>;
}

/**
 * A credential provider takes no abort signal: this ends its wait when the command's budget does, as an abort, and
 * clears its timer once the provider answers.
 */
async function withinBudget<T>(deadline: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('the command ran out of time'), { name: 'AbortError' })),
      Math.max(1, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([work, budget]);
  } finally {
    clearTimeout(timer);
  }
}

/** Each account's lookup role and its credentials, assumed once however many parts read the account. */
export function accounts(config: DeployConfig, profile: string | undefined, deadline: number) {
  const credentialsOf = lookupRoleCredentials(config, { profile, sessionName: 'npm-run-status', durationSeconds: 900 });
  const cache = new Map<string, Promise<Account>>();
  return (account: string): Promise<Account> => {
    let found = cache.get(account);
    if (!found) {
      const role = lookupRoleArn(config.partition, account, config.region);
      const provider = credentialsOf(account);
      found = read(() => awsCall('STS AssumeRole', () => withinBudget(deadline, provider()))).then((credentials) => ({
        role,
        credentials,
      }));
      cache.set(account, found);
    }
    return found;
  };
}
