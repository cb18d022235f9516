import deploySchema from '../../config/deploy.schema.json';
import networkSchema from '../../config/network.schema.json';
import pipelineSchema from '../../config/pipeline.schema.json';
import serviceSchema from '../../config/service.schema.json';
import { EXAMPLE_ZONE, configWith } from '../helpers/cdk';
import { EXAMPLE_UUID, PRODUCTION_ACCOUNT, REGION, TOOLING_ACCOUNT } from '../helpers/constants';
import { runTool } from '../helpers/run-tool';

interface Schema {
  readonly $ref?: string;
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
  readonly [keyword: string]: unknown;
}

const SCHEMAS: Record<string, Schema> = {
  'deploy.schema.json': deploySchema,
  'network.schema.json': networkSchema,
  'pipeline.schema.json': pipelineSchema,
  'service.schema.json': serviceSchema,
};

/** The schema a $ref leads to, by $id and JSON pointer, as ajv and editors resolve it. */
function resolve(schema: Schema, file: string): [Schema, string] {
  if (schema.$ref === undefined) return [schema, file];
  const [target, pointer = ''] = schema.$ref.split('#');
  let found = SCHEMAS[target || file];
  for (const key of pointer.split('/').filter(Boolean)) found = found[key] as Schema;
  return resolve(found, target || file);
}

/** Each object in `value` has exactly the fields of its schema, at every depth. */
function expectSchemaFields(value: unknown, schema: Schema, file: string, where: string): void {
  const [resolved, resolvedFile] = resolve(schema, file);
  if (Array.isArray(value)) {
    value.forEach((item, i) => expectSchemaFields(item, resolved.items!, resolvedFile, `${where}[${i}]`));
  } else if (resolved.properties && typeof value === 'object' && value !== null) {
    expect({ where, fields: Object.keys(value).sort() }).toEqual({
      where,
      fields: Object.keys(resolved.properties).sort(),
    });
    for (const [key, field] of Object.entries(value)) {
      expectSchemaFields(field, resolved.properties[key], resolvedFile, `${where}.${key}`);
    }
  }
}

/** The default config with every optional field of the schema set, each to a value the rules accept. */
function setEveryField(json: Record<string, any>): void {
  const certificateArn = `arn:aws:acm:${REGION}:${PRODUCTION_ACCOUNT}:certificate/${EXAMPLE_UUID}`;
  const network = { domainName: 'www.example.com', hostedZone: EXAMPLE_ZONE, certificateArn, deletionProtection: true };
  const service = { deploymentStrategy: 'canary', bakeTimeMinutes: 10, maxCount: 4 };
  const steps = { canary: { percent: 10, bakeMinutes: 3 }, linear: { stepPercent: 10, intervalMinutes: 2 } };
  Object.assign(json.network, network, { diagnosticsHost: true });
  Object.assign(json.service, service, steps);
  Object.assign(json.environments[0], {
    reviewUrl: 'https://example.com/review',
    alarmTopicArn: `arn:aws:sns:${REGION}:${PRODUCTION_ACCOUNT}:alarms`,
    network: { ...network, albScheme: 'internal' },
    service: { ...service, ...steps, cpu: 512, memoryMiB: 1024, desiredCount: 2 },
  });
  json.pipeline.source = {
    type: 'codeconnections',
    connectionArn: `arn:aws:codeconnections:${REGION}:${TOOLING_ACCOUNT}:connection/${EXAMPLE_UUID}`,
    repository: 'my-org/hello-privatelink',
    branch: 'main',
  };
  json.pipeline.approvalTopicArn = `arn:aws:sns:${REGION}:${TOOLING_ACCOUNT}:approvals`;
  json.logEncryption = 'customer-key';
  json.github.oidcProviderArn = `arn:aws:iam::${TOOLING_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
}

describe('the configuration types and the schemas', () => {
  test('the types in config/schema-types/ are the ones the schemas generate', async () => {
    // GIVEN the schemas as committed WHEN the generator checks the committed types against them
    const run = await runTool('config/generate-types.ts', ['--check']);
    // THEN every module is what it would write: a schema changed without regenerating is named here
    expect(run).toEqual({ code: 0, stdout: 'config/schema-types/ is what the schemas generate\n', stderr: '' });
  });

  test('the loader returns every field of a config that sets them all, and no field the schema lacks', () => {
    // GIVEN a config that sets every optional field WHEN it is loaded
    const { sourcePath, partition, domainSuffix, warnings, environments, ...config } = configWith(setEveryField);
    // THEN the fields derived from others are there
    expect({ sourcePath, partition, domainSuffix }).toEqual({
      sourcePath: 'config/deploy.json',
      partition: 'aws',
      domainSuffix: 'amazonaws.com',
    });
    expect(warnings).toBeInstanceOf(Array);
    // AND every other object has exactly its schema's fields, but the editor's $schema, which is not configuration
    const fields = Object.entries(deploySchema.properties).filter(([key]) => key !== '$schema');
    expectSchemaFields(
      { ...config, environments: [] },
      { properties: Object.fromEntries(fields) },
      'deploy.schema.json',
      'config',
    );
    // An environment's network and service are the shared sections merged with its overrides: the sections' fields.
    const environmentSchema = {
      properties: {
        ...deploySchema.properties.environments.items.properties,
        network: networkSchema,
        service: serviceSchema,
      },
    };
    expectSchemaFields(environments, { items: environmentSchema }, 'deploy.schema.json', 'environments');
  });
});
