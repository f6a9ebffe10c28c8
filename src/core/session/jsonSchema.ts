import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { RE2JS } from 're2js';

/**
 * JSON Schema compilation and validation for MCP tool schemas, on the ajv the SDK ships with
 * (draft-07 like VS Code; draft 2020-12 when the schema declares it). Compiled validators are
 * cached per schema object.
 */

type AnyAjv = Ajv | Ajv2020;

/**
 * The regular-expression engine of every schema `pattern` and `patternProperties`: schemas come
 * from servers, and a pattern such as `^(a|aa)+$` takes seconds on 40 characters in a
 * backtracking engine. RE2 (the pure-JavaScript port `re2js`) matches in linear time. A pattern
 * RE2 cannot express (lookarounds, backreferences) is not checked: it matches everything.
 */
const linearRegExp = Object.assign(
  (pattern: string): { test(s: string): boolean; toString(): string } => {
    let re: RE2JS | undefined;
    try {
      re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    } catch {
      re = undefined;
    }
    return { test: (s: string) => (re ? re.test(s) : true), toString: () => `re2:${pattern}` };
  },
  { code: 're2js' },
);
const AJV_OPTIONS = {
  strict: false,
  allErrors: true,
  logger: false,
  addUsedSchema: false,
  code: { regExp: linearRegExp },
} as const;
let draft7: Ajv | undefined;
let draft2020: Ajv2020 | undefined;

function instanceFor(schema: Record<string, unknown>): AnyAjv {
  const is2020 = typeof schema.$schema === 'string' && /2020-12|2019-09/.test(schema.$schema);
  if (is2020) {
    if (!draft2020) {
      draft2020 = new Ajv2020(AJV_OPTIONS);
      addFormats(draft2020 as unknown as Ajv);
    }
    return draft2020;
  }
  if (!draft7) {
    draft7 = new Ajv(AJV_OPTIONS);
    addFormats(draft7);
  }
  return draft7;
}

const cache = new WeakMap<object, { validate?: ValidateFunction; error?: string }>();

/** Compiles a schema (cached); `error` explains why a schema does not compile. */
function compileSchema(schema: unknown): { validate?: ValidateFunction; error?: string } {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema))
    return { error: 'the schema is not a JSON object' };
  const hit = cache.get(schema);
  if (hit) return hit;
  let out: { validate?: ValidateFunction; error?: string };
  try {
    const ajv = instanceFor(schema as Record<string, unknown>);
    // A `$schema` ajv does not know (e.g. draft-04 URIs) must not fail compilation by itself.
    const { $schema, ...rest } = schema as Record<string, unknown>;
    const copy = ajv instanceof Ajv2020 || typeof $schema !== 'string' || /draft-07/.test($schema) ? schema : rest;
    const validSchema = ajv.validateSchema(copy as object);
    if (validSchema === false) out = { error: formatErrors(ajv.errors ?? []).join('; ') || 'invalid JSON Schema' };
    else out = { validate: ajv.compile(copy as object) };
  } catch (err) {
    out = { error: err instanceof Error ? err.message : String(err) };
  }
  cache.set(schema, out);
  return out;
}

/**
 * Meta-validates a schema (is it valid JSON Schema?) without compiling it: about 10× cheaper
 * than `compileSchema`, enough for linting a whole `tools/list`. Undefined when valid.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return 'the schema is not a JSON object';
  const hit = cache.get(schema);
  if (hit) return hit.error;
  try {
    const ajv = instanceFor(schema as Record<string, unknown>);
    const { $schema, ...rest } = schema as Record<string, unknown>;
    const copy = ajv instanceof Ajv2020 || typeof $schema !== 'string' || /draft-07/.test($schema) ? schema : rest;
    if (ajv.validateSchema(copy as object) === false)
      return formatErrors(ajv.errors ?? []).join('; ') || 'invalid JSON Schema';
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** `/path must be string`-style messages. */
function formatErrors(errors: readonly ErrorObject[]): string[] {
  return errors.map((e) => {
    const where = e.instancePath || '(root)';
    let extra = '';
    if (e.keyword === 'additionalProperties')
      extra = ` (\`${(e.params as { additionalProperty: string }).additionalProperty}\`)`;
    else if (e.keyword === 'enum')
      extra = `: ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    return `${where} ${e.message ?? e.keyword}${extra}`;
  });
}

/** Validates `value` against `schema`; errors are human-readable. Never throws. */
export function validateAgainst(
  schema: unknown,
  value: unknown,
): { ok: boolean; errors: string[]; schemaError?: string } {
  const { validate, error } = compileSchema(schema);
  if (!validate) return { ok: false, errors: [`the schema does not compile: ${error}`], schemaError: error };
  try {
    const ok = validate(value) as boolean;
    return { ok, errors: ok ? [] : formatErrors(validate.errors ?? []) };
  } catch (err) {
    return { ok: false, errors: [String(err)] };
  }
}
