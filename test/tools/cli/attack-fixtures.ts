// The files and folders the attacks on every command use, made once in a fresh temporary folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PLACEHOLDER_KEY } from '../../../tools/cli/placeholder-lookups';
import { defaultConfigJson } from '../../helpers/cdk';
import { PRODUCTION_ACCOUNT, REGION } from '../../helpers/constants';

/** The folder all of it is in; the attacks' file removes it. */
export const dir = mkdtempSync(path.join(tmpdir(), 'attacks-'));
export const file = (name: string, content: string | Buffer) => {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
};
export const config = (name: string, change: (json: Record<string, any>) => void) => {
  const json = structuredClone(defaultConfigJson()) as Record<string, any>;
  change(json);
  return file(name, JSON.stringify(json));
};
export const noProfiles = config('no-profiles.json', (j) => delete j.profiles);
export const fifo = path.join(dir, 'config.fifo');
execFileSync('mkfifo', [fifo]);
export const folder = path.join(dir, 'a-folder');
mkdirSync(folder);
export const failedAssembly = path.join(dir, 'failed-assembly');
mkdirSync(failedAssembly);
writeFileSync(path.join(failedAssembly, 'manifest.json'), '{"version":"41.0.0","artifacts":{}}');
writeFileSync(
  path.join(failedAssembly, 'Stack.template.json'),
  '{"Resources":{"S":{"Properties":{"AvailabilityZone":"dummy1a"}}}}',
);

/** A docker context holding a symbolic link to a folder. */
export const linkedContext = path.join(dir, 'linked-context');
mkdirSync(path.join(linkedContext, 'real'), { recursive: true });
writeFileSync(path.join(linkedContext, 'Dockerfile'), 'FROM scratch\n');
symlinkSync('real', path.join(linkedContext, 'shared'));
/** A checkout whose docker/ holds a symbolic link to a folder, with the default config. */
export const linkedCheckout = path.join(dir, 'linked-checkout');
mkdirSync(path.join(linkedCheckout, 'docker', 'real'), { recursive: true });
writeFileSync(path.join(linkedCheckout, 'docker', 'Dockerfile'), 'FROM scratch\n');
symlinkSync('real', path.join(linkedCheckout, 'docker', 'shared'));
writeFileSync(path.join(linkedCheckout, 'deploy.json'), JSON.stringify(defaultConfigJson()));
/** A folder that is no git checkout and has no docker/, with the default config in it. */
export const elsewhere = path.join(dir, 'elsewhere');
mkdirSync(elsewhere);
writeFileSync(path.join(elsewhere, 'deploy.json'), JSON.stringify(defaultConfigJson()));
/** A folder where synth --placeholder-lookups wrote made-up lookups for the workload account. */
export const tryout = path.join(dir, 'tryout');
mkdirSync(tryout);
writeFileSync(path.join(tryout, 'deploy.json'), JSON.stringify(defaultConfigJson()));
writeFileSync(
  path.join(tryout, 'cdk.context.json'),
  JSON.stringify({ [PLACEHOLDER_KEY]: { [PRODUCTION_ACCOUNT]: 'made up by npm run synth -- --placeholder-lookups' } }),
);
/** Assemblies whose manifest, or template, is not JSON. */
export const brokenManifest = path.join(dir, 'broken-manifest');
mkdirSync(brokenManifest);
writeFileSync(path.join(brokenManifest, 'manifest.json'), '{"version": "41.0.0", "artifacts": ');
export const brokenTemplate = path.join(dir, 'broken-template');
mkdirSync(brokenTemplate);
writeFileSync(path.join(brokenTemplate, 'manifest.json'), '{"version":"41.0.0","artifacts":{}}');
writeFileSync(path.join(brokenTemplate, 'Stack.template.json'), 'Resources:\n  Bucket: {}\n');
/** The TMPDIR of the preview run without docker/, which must stay empty. */
export const previewTmp = path.join(dir, 'preview-tmp');
mkdirSync(previewTmp);

/** Credentials that look real and reach nothing: the endpoint is the attack's. */
export const fakeCredentials = {
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_REGION: REGION,
  AWS_CONFIG_FILE: path.join(dir, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'none'),
};
