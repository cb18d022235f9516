// Refreshes schemas.json from CloudFormation registry schemas (run by hand, not by the tests):
//   npx tsx test/permissions/registry/extract.ts SCHEMA_DIR SOURCE TYPE...
// SCHEMA_DIR holds one registry schema per type, named like AWS_ECS_Service.json, as `aws cloudformation
// describe-type --type RESOURCE --type-name TYPE` returns it (for example, the copies kept in
// hashicorp/terraform-provider-awscc under internal/service/cloudformation/schemas). Only what the proofs read is
// kept: the handlers' permissions, the tagging metadata and the properties whose change replaces the resource.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RegistrySchemas, TypeSchema } from './schemas';

const [schemaDir, source, ...types] = process.argv.slice(2);
if (!schemaDir || !source || types.length === 0) {
  process.stderr.write('usage: npx tsx test/permissions/registry/extract.ts SCHEMA_DIR SOURCE TYPE...\n');
  process.exit(2);
}
const output = path.join(__dirname, 'schemas.json');
const previous: RegistrySchemas = existsSync(output) ? JSON.parse(readFileSync(output, 'utf8')) : { types: {} };
const result: RegistrySchemas = { source, types: { ...previous.types } };
for (const type of types.sort()) {
  const file = path.join(schemaDir, `${type.replace(/::/g, '_')}.json`);
  if (!existsSync(file)) continue;
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  const permissions = (handler: string): string[] | undefined => schema.handlers?.[handler]?.permissions;
  const entry: TypeSchema = {
    handlers: Object.fromEntries(
      (['create', 'update', 'delete'] as const).flatMap((h) => (permissions(h) ? [[h, permissions(h)!]] : [])),
    ),
    tagging: schema.tagging,
    createOnlyProperties: schema.createOnlyProperties ?? [],
  };
  result.types[type] = entry;
}
writeFileSync(output, `${JSON.stringify(result, null, 2)}\n`);
