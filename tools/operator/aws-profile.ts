// The --profile flag of the operator commands that call AWS.
import { CommandError, shorten } from '../cli/command';

/** An AWS CLI profile name, as the CLI's config file allows it. */
export function profileName(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[\w.+@-]{1,64}$/.test(raw)) {
    throw new CommandError(`--profile is "${shorten(raw)}"; expected an AWS CLI profile name, such as tooling`);
  }
  return raw;
}
