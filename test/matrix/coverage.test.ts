// Every field of the README's configuration table is set in at least one variant of the matrix, so each option a
// user reads about has been synthesized and linted.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT, defaultConfigJson } from '../helpers/cdk';
import { VARIANTS } from './variants';

/** The field names of docs/configuration.md's table: `service.cpu`, `memoryMiB` expands to service.memoryMiB. */
function readmeFields(): string[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'docs/configuration.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Fields'));
  const rows = section.slice(section.indexOf('| field')).split('\n\n')[0].split('\n').slice(2);
  return rows.flatMap((row) => {
    const names = [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const prefix = names[0].includes('.') ? names[0].slice(0, names[0].lastIndexOf('.') + 1) : '';
    return names.map((name) => (name.includes('.') || name.includes('[') ? name : `${prefix}${name}`));
  });
}

/** Every path a config sets, arrays written as [] (environments[].network.albScheme). */
function pathsOf(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [prefix + '[]', ...value.flatMap((v) => pathsOf(v, `${prefix}[]`))];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const key = prefix && !prefix.endsWith('.') ? `${prefix}.${k}` : `${prefix}${k}`;
      return [key, ...pathsOf(v, key)];
    });
  }
  return [];
}

describe('the configuration matrix', () => {
  test("sets every field of the README's configuration table in some variant", () => {
    const fields = readmeFields();
    expect(fields.length).toBeGreaterThanOrEqual(18);
    const set = new Set(
      Object.values(VARIANTS).flatMap((variant) => {
        const json = structuredClone(defaultConfigJson()) as Record<string, any>;
        variant.change(json);
        return pathsOf(json);
      }),
    );
    expect(fields.filter((field) => !set.has(field))).toEqual([]);
  });

  test('would notice a field no variant sets', () => {
    expect(pathsOf({ network: { albScheme: 'internal' }, environments: [{ network: { domainName: 'x' } }] })).toEqual([
      'network',
      'network.albScheme',
      'environments',
      'environments[]',
      'environments[].network',
      'environments[].network.domainName',
    ]);
  });
});
