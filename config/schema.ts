// The second layer: the shape of the configuration, as config/deploy.schema.json states it, with one schema file
// per large section beside it. The schema's descriptions are also the error text, so a message says what is
// expected in the words an editor shows.
import Ajv, { type ErrorObject } from 'ajv';
import { isIpv4Cidr, isKnownRegion } from './aws-facts';
import schema from './deploy.schema.json';
import { DEFAULT_CONFIG_PATH, echo } from './messages';
import networkSchema from './network.schema.json';
import pipelineSchema from './pipeline.schema.json';
import serviceSchema from './service.schema.json';

const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: false });
ajv.addFormat('aws-region', isKnownRegion);
ajv.addFormat('ipv4-cidr', isIpv4Cidr);
// The sections by their $id, which the main schema's $refs name, as an editor resolves them beside it.
ajv.addSchema([networkSchema, serviceSchema, pipelineSchema]);
const validateSchema = ajv.compile(schema);

/** Turns an ajv instance path (`/service/cpu`, `/environments/0/account`) into `service.cpu`, `environments[0].account`. */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (child !== undefined) parts.push(child);
  // A key may hold anything, even a newline: show odd or long ones JSON-quoted and shortened.
  const key = (p: string) => (/^[\w$-]{1,40}$/.test(p) ? p : echo(p.replace(/~1/g, '/').replace(/~0/g, '~')));
  const name = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${key(p)}`)).join('');
  return name.replace(/^\./, '') || '(top level)';
}

function describeSchemaError(file: string, error: ErrorObject): string {
  const parentSchema = error.parentSchema as { description?: string; properties?: object } | undefined;
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    const allowed = Object.keys(parentSchema?.properties ?? {}).join(', ');
    return `${file}: unknown key "${fieldName(error.instancePath, key)}"; expected one of: ${allowed}`;
  }
  if (error.keyword === 'required') {
    const key = String(error.params.missingProperty);
    return `${file}: field "${fieldName(error.instancePath, key)}" is missing; it is required`;
  }
  const expected =
    error.instancePath === ''
      ? `a JSON object with the fields of ${DEFAULT_CONFIG_PATH}`
      : (parentSchema?.description ?? `a value that ${error.message ?? 'matches the schema'}`);
  return `${file}: field "${fieldName(error.instancePath)}" is ${echo(error.data)}; expected ${expected}`;
}

/** The schema's errors as one-line problems, none repeated; an `if` only repeats the error of its `then`. */
export function schemaProblems(file: string, data: unknown): string[] {
  if (validateSchema(data)) return [];
  const problems = validateSchema
    .errors!.filter((error) => error.keyword !== 'if')
    .map((error) => {
      // A problem inside one environment names it, as the merged-environment checks do.
      const index = /^\/environments\/(\d+)\//.exec(error.instancePath)?.[1];
      const name = index && (data as { environments?: Array<{ name?: unknown }> }).environments?.[Number(index)]?.name;
      const where = typeof name === 'string' && /^[a-z][a-z0-9]{1,15}$/.test(name) ? `, for environment ${name}` : '';
      return `${describeSchemaError(file, error)}${where}`;
    });
  return [...new Set(problems)];
}
