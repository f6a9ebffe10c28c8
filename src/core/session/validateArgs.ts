import { validateAgainst } from './jsonSchema';

/**
 * Checks tool-call arguments against the tool's `inputSchema` (used by the call-tool form).
 * A schema that does not compile does not block the call: `ok` is true and `schemaError` says why.
 */
export function validateToolArgs(
  schema: unknown,
  args: unknown,
): { ok: boolean; errors: string[]; schemaError?: string } {
  const r = validateAgainst(schema, args);
  if (r.schemaError) return { ok: true, errors: [], schemaError: r.schemaError };
  return { ok: r.ok, errors: r.errors };
}
