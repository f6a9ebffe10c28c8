/**
 * The spec's limits on an elicitation form (`requestedSchema`, 2025-06-18 and later): a flat
 * object whose properties are primitives (string with an optional format, number, integer,
 * boolean), single-select enums (`enum`, titled `oneOf` of `const`/`title`, legacy `enumNames`)
 * or multi-select enums (an array whose `items` are such an enum, SEP-1330). Clients render
 * forms from this subset only; anything else is not a form a client can show.
 */

const STRING_FORMATS = new Set(['email', 'uri', 'date', 'date-time']);

/** One choice of a select field: the value sent and the label shown. */
export interface Choice {
  value: string;
  label: string;
}

/** The choices of a single-select property, or undefined when it is not one. */
export function singleChoices(prop: Record<string, unknown>): Choice[] | undefined {
  if (Array.isArray(prop.enum) && prop.enum.every((v) => typeof v === 'string')) {
    const names = Array.isArray(prop.enumNames) ? prop.enumNames : [];
    return (prop.enum as string[]).map((value, i) => ({
      value,
      label: typeof names[i] === 'string' ? (names[i] as string) : value,
    }));
  }
  return titledConsts(prop.oneOf) ?? titledConsts(prop.anyOf);
}

/** The choices of a multi-select property (`type: array` of an enum), or undefined. */
export function multiChoices(prop: Record<string, unknown>): Choice[] | undefined {
  if (prop.type !== 'array' || !isObject(prop.items)) return undefined;
  return singleChoices(prop.items);
}

function titledConsts(alts: unknown): Choice[] | undefined {
  if (!Array.isArray(alts) || !alts.length) return undefined;
  const out: Choice[] = [];
  for (const a of alts) {
    if (!isObject(a) || typeof a.const !== 'string') return undefined;
    out.push({ value: a.const, label: typeof a.title === 'string' ? a.title : a.const });
  }
  return out;
}

/** Why a requested schema is not a form clients can render (empty when it is one). */
export function elicitationSchemaProblems(schema: unknown): string[] {
  if (!isObject(schema)) return ['`requestedSchema` is not an object'];
  if (schema.type !== 'object') return ['`requestedSchema.type` must be "object"'];
  const props = schema.properties;
  if (props !== undefined && !isObject(props)) return ['`requestedSchema.properties` must be an object'];
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(props ?? {})) {
    const problem = isObject(raw) ? propertyProblem(raw) : 'is not a schema object';
    if (problem) problems.push(`\`${key}\` ${problem}`);
  }
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required)) problems.push('`required` must be a list of property names');
    else
      for (const r of schema.required)
        if (typeof r !== 'string' || !props || !(r in props))
          problems.push(`\`required\` names ${JSON.stringify(r)}, which is not a property`);
  }
  return problems;
}

function propertyProblem(prop: Record<string, unknown>): string | undefined {
  switch (prop.type) {
    case 'string':
      if (singleChoices(prop)) return undefined;
      if (prop.format !== undefined && !STRING_FORMATS.has(String(prop.format)))
        return `has format "${String(prop.format)}" (the spec allows email, uri, date, date-time)`;
      return undefined;
    case 'number':
    case 'integer':
    case 'boolean':
      return undefined;
    case 'array':
      return multiChoices(prop)
        ? undefined
        : 'is an array of something other than enum strings (only multi-select enums are allowed)';
    case 'object':
      return 'is a nested object (forms are flat)';
    default:
      if (singleChoices(prop)) return undefined;
      return prop.type === undefined ? 'has no `type`' : `has type ${JSON.stringify(prop.type)} (not a primitive)`;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
