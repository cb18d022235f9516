// The repository's GitHub workflows, parsed, and the two ways the tests read a job: its steps and its scripts.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../helpers/cdk';

export const readWorkflow = (name: string) =>
  parse(readFileSync(path.join(PROJECT_ROOT, '.github/workflows', name), 'utf8'));
export const pr = readWorkflow('pr.yml');
export const deploy = readWorkflow('deploy.yml');
export const checks = readWorkflow('checks.yml');
export const drift = readWorkflow('drift.yml');
export const all = { 'pr.yml': pr, 'deploy.yml': deploy, 'checks.yml': checks, 'drift.yml': drift };

export const steps = (workflow: any, job: string) => workflow.jobs[job].steps as Array<Record<string, any>>;
export const runs = (workflow: any, job: string) =>
  steps(workflow, job)
    .map((s) => s.run)
    .filter(Boolean)
    .join('\n');
