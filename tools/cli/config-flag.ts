// The --config flag every command takes, read the same way everywhere.
import { DEFAULT_CONFIG_PATH } from '../../config/load';
import { nonEmpty } from './command';

/** The config file a command reads: the flag's value, never an empty one, else the default. */
export function configFlag(raw: string | undefined): string {
  return nonEmpty('--config', raw, `a config file path, such as ${DEFAULT_CONFIG_PATH}`) ?? DEFAULT_CONFIG_PATH;
}
