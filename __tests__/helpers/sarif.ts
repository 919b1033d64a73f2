// A validator for SARIF 2.1.0 from the schema GitHub's upload-sarif uses (kept in ../shared/schemas).
// That schema was written for a lenient validator; two of its quirks are read as meant, which makes
// the check stricter, not looser: a `(?i)` regex prefix (not JavaScript) becomes the `i` flag, and
// region's `anyOf` (misplaced under `properties`) is applied to the region.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

type Schema = {
  definitions: Record<string, { properties?: Record<string, unknown>; anyOf?: unknown }>;
};

export function sarifValidator(schemaText: string): ValidateFunction {
  const schema = JSON.parse(schemaText) as Schema;
  const region = schema.definitions['region'];
  if (region?.properties?.['anyOf']) {
    region.anyOf = region.properties['anyOf'];
    delete region.properties['anyOf'];
  }
  const regExp = (pattern: string, flags: string): RegExp =>
    pattern.startsWith('^(?i)')
      ? new RegExp(`^${pattern.slice(5)}`, `${flags}i`)
      : new RegExp(pattern, flags);
  regExp.code = 'new RegExp';
  const ajv = new Ajv2020({ strict: false, allErrors: true, code: { regExp } });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
  addFormats(ajv);
  return ajv.compile(schema);
}
