// Settings that pass every rule and still change nothing: said, never silently ignored. Warnings do not stop a load.
import { settingField } from './rules';
import type { EnvironmentConfig, RawConfig } from './types';

/** One line for each setting that has no effect, naming its field and why. */
export function noEffectWarnings(file: string, raw: RawConfig, environments: readonly EnvironmentConfig[]): string[] {
  const warnings: string[] = [];
  for (const [i, env] of environments.entries()) {
    const override = raw.environments[i].service ?? {};
    const bakeSet = 'bakeTimeMinutes' in override || raw.service.bakeTimeMinutes !== undefined;
    const strategy = env.service.deploymentStrategy;
    if (bakeSet && strategy === 'rolling') {
      warnings.push(
        `${file}: field "${settingField(raw, i, 'service', 'bakeTimeMinutes')}" is ${env.service.bakeTimeMinutes} ` +
          `and has no effect for environment ${env.name}: its deploymentStrategy is rolling, which does not bake`,
      );
    }
    for (const setting of ['canary', 'linear'] as const) {
      const set = setting in override || raw.service[setting] !== undefined;
      if (set && strategy !== setting) {
        warnings.push(
          `${file}: field "${settingField(raw, i, 'service', setting)}" has no effect for environment ${env.name}: ` +
            `its deploymentStrategy is ${strategy}`,
        );
      }
    }
    if (raw.environments[i].reviewUrl !== undefined && !env.requireApproval) {
      warnings.push(
        `${file}: field "environments[${i}].reviewUrl" has no effect: environment ${env.name} has ` +
          `requireApproval false, so no approval shows it`,
      );
    }
  }
  if (raw.pipeline.approvalTopicArn !== undefined && !environments.some((e) => e.requireApproval)) {
    warnings.push(
      `${file}: field "pipeline.approvalTopicArn" has no effect: no environment requires approval, so nothing is sent`,
    );
  }
  const accounts = new Set([raw.toolingAccount, raw.registry.account, ...raw.environments.map((e) => e.account)]);
  for (const account of Object.keys(raw.profiles ?? {})) {
    if (!accounts.has(account)) {
      warnings.push(`${file}: field "profiles.${account}" has no effect: no configured account is ${account}`);
    }
  }
  return warnings;
}
