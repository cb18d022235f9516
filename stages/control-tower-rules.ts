// AWS Control Tower's proactive controls as the cfn-guard validator ships them: which rule checks which resource
// types. No aws-cdk-lib here: the report reads it too.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import validatorPackage from '@cdklabs/cdk-validator-cfnguard/package.json';
import { synthCached } from './synth-cache';

/** The validator's version: its cfn-guard binary and rule files come with it. */
export const VALIDATOR_VERSION = validatorPackage.version;

/** The plugin's name, the prefix of every acknowledgement id: `cdk-validator-cfnguard::<rule>`. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** One cfn-guard rule of the validator: its control, its rule name, and the resource types it checks. */
export interface GuardRule {
  readonly control: string;
  readonly rule: string;
  /** The types the rule checks: those its hook variant targets. */
  readonly types: readonly string[];
  /** Every resource type the rule file names, the checked ones and those it looks up (a log group's KMS key). */
  readonly reads: readonly string[];
  /** The rule file. */
  readonly file: string;
}

/**
 * The Control Tower rules the validator runs, read from its own rule files once for each version of it: reading
 * its three hundred files is a fiftieth of a synth.
 */
export function controlTowerRules(): GuardRule[] {
  const root = path.join(
    path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
    'rules/control-tower/cfn-guard',
  );
  return synthCached('control-tower-rules', [VALIDATOR_VERSION, root], () => readRules(root));
}

function readRules(root: string): GuardRule[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.guard'))
    .map((file) => {
      const text = readFileSync(path.join(root, file), 'utf8');
      const control = /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(text)?.[1];
      const rule = /^rule (\w+) when/m.exec(text)?.[1];
      if (!control || !rule) throw new Error(`${file}: no control id or rule name; the rule format changed`);
      // The types a rule checks are those its hook variant targets: `rule x when is_cfn_hook(%INPUT_DOCUMENT, %T)`.
      const constants = new Map([...text.matchAll(/^let (\w+)\s*=\s*["']([^"']+)["']/gm)].map((m) => [m[1], m[2]]));
      const types = [
        ...new Set(
          [...text.matchAll(/^rule \w+ when is_cfn_hook\(%INPUT_DOCUMENT,\s*%(\w+)\)/gm)].map((m) =>
            constants.get(m[1]),
          ),
        ),
      ].filter((type): type is string => !!type);
      if (types.length === 0) throw new Error(`${file}: no resource type a hook targets; the rule format changed`);
      const reads = [...new Set([...text.matchAll(/["'](AWS::\w+::\w+)["']/g)].map((m) => m[1]))].sort();
      return { control, rule, types, reads, file: path.join(root, file) };
    })
    .sort((a, b) => a.control.localeCompare(b.control, 'en', { numeric: true }));
}
