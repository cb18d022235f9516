// Generated from config/*.schema.json by `npx tsx config/generate-types.ts`; do not edit.
import type { ValidateFunction } from 'ajv';

/** Whether a value is a configuration as written; its errors say why not. */
declare const validate: ValidateFunction;
export default validate;
