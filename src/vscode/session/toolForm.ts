import * as vscode from 'vscode';
import type { validateToolArgs as ValidateFn } from '../../core/session/validateArgs';

type Schema = Record<string, unknown>;
type Validate = typeof ValidateFn;
type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'stringArray' | 'json';

/** One input of the form, derived from a property of the input schema. */
interface Field {
  key: string;
  schema: Schema;
  kind: FieldKind;
  required: boolean;
  description?: string;
}

const BACK = Symbol('back');
const AS_JSON = Symbol('json');
const SKIP = Symbol('skip');
type StepResult = unknown | typeof BACK | typeof AS_JSON | typeof SKIP | undefined;

const JSON_BUTTON: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('json'),
  tooltip: 'Edit all arguments as JSON',
};

/**
 * Asks for the arguments of a tool (or prompt) with one quick input per property of its input
 * schema: required properties first, the last call's values (or defaults) prefilled, descriptions
 * shown, each value checked with `validateToolArgs` as it is typed. Resolves undefined when the
 * user cancels.
 */
export async function askArguments(
  schema: unknown,
  title: string,
  /** Values to prefill (the arguments of the last call), used where the schema has the field. */
  initial: Record<string, unknown> = {},
): Promise<Record<string, unknown> | undefined> {
  const fields = fieldsOf(schema);
  if (!fields.length) return {};
  // Loaded on first use: the validator (ajv) is not needed at activation.
  const { validateToolArgs: validate } = await import('../../core/session/validateArgs');
  const args: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(initial, f.key)) args[f.key] = initial[f.key];
  for (let i = 0; i < fields.length;) {
    const field = fields[i];
    const result = await askField(validate, field, args[field.key], title, i, fields.length);
    if (result === undefined) return undefined;
    if (result === BACK) {
      i = Math.max(0, i - 1);
      continue;
    }
    if (result === AS_JSON) return askJson(validate, schema, args, title);
    if (result === SKIP) delete args[field.key];
    else args[field.key] = result;
    i += 1;
  }
  const check = validate(schema, args);
  return check.ok ? args : askJson(validate, schema, args, title, check.errors);
}

/** Properties of an object schema, required first (declaration order otherwise). */
function fieldsOf(schema: unknown): Field[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const fields = Object.entries(schema.properties).map(([key, raw]): Field => {
    const prop = unwrapNullable(isObject(raw) ? raw : {});
    return {
      key,
      schema: prop,
      kind: kindOf(prop),
      required: required.has(key),
      description:
        typeof prop.description === 'string'
          ? prop.description
          : typeof prop.title === 'string'
            ? prop.title
            : undefined,
    };
  });
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** `anyOf: [X, {type: null}]` (pydantic's Optional[X]) is asked for as X. */
function unwrapNullable(prop: Schema): Schema {
  const alts = Array.isArray(prop.anyOf) ? prop.anyOf : Array.isArray(prop.oneOf) ? prop.oneOf : undefined;
  if (!alts) return prop;
  const nonNull = alts.filter((a) => !(isObject(a) && a.type === 'null'));
  if (nonNull.length !== 1 || !isObject(nonNull[0])) return prop;
  const { anyOf: _a, oneOf: _o, ...rest } = prop;
  return { ...nonNull[0], ...rest };
}

function kindOf(prop: Schema): FieldKind {
  if (Array.isArray(prop.enum) && prop.enum.length) return 'enum';
  const type = Array.isArray(prop.type) ? prop.type.find((t) => t !== 'null') : prop.type;
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = isObject(prop.items) ? prop.items : {};
      return items.type === 'string' ? 'stringArray' : 'json';
    }
    default:
      return 'json';
  }
}

function askField(
  validate: Validate,
  field: Field,
  current: unknown,
  title: string,
  index: number,
  total: number,
): Promise<StepResult> {
  return field.kind === 'enum' || field.kind === 'boolean'
    ? pickField(field, current, title, index, total)
    : inputField(validate, field, current, title, index, total);
}

function stepTitle(title: string, field: Field): string {
  return `${title}: ${field.key}${field.required ? '' : ' (optional)'}`;
}

function pickField(field: Field, current: unknown, title: string, index: number, total: number): Promise<StepResult> {
  type Item = vscode.QuickPickItem & { value: unknown };
  const values: unknown[] = field.kind === 'boolean' ? [true, false] : (field.schema.enum as unknown[]);
  const items: Item[] = values.map((v) => ({
    label: typeof v === 'string' ? v : JSON.stringify(v),
    description: v === field.schema.default ? 'default' : undefined,
    value: v,
  }));
  if (!field.required) items.push({ label: '$(circle-slash) Leave unset', value: SKIP });
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = stepTitle(title, field);
  pick.step = index + 1;
  pick.totalSteps = total;
  pick.placeholder = field.description ?? `Choose a value for ${field.key}`;
  pick.items = items;
  pick.buttons = [...(index > 0 ? [vscode.QuickInputButtons.Back] : []), JSON_BUTTON];
  const preferred = current !== undefined ? current : field.schema.default;
  const active = items.find((i) => i.value === preferred);
  if (active) pick.activeItems = [active];
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: StepResult) => {
      if (done) return;
      done = true;
      resolve(v);
      pick.dispose();
    };
    pick.onDidTriggerButton((b) => finish(b === vscode.QuickInputButtons.Back ? BACK : AS_JSON));
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item) finish(item.value);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

function inputField(
  validate: Validate,
  field: Field,
  current: unknown,
  title: string,
  index: number,
  total: number,
): Promise<StepResult> {
  const box = vscode.window.createInputBox();
  box.title = stepTitle(title, field);
  box.step = index + 1;
  box.totalSteps = total;
  box.prompt = [field.description, hintFor(field)].filter(Boolean).join(' — ');
  box.placeholder =
    field.schema.default !== undefined
      ? `default: ${display(field.schema.default, field.kind)}`
      : field.required
        ? 'required'
        : 'leave empty to omit';
  const initial = current !== undefined ? current : field.schema.default;
  if (initial !== undefined) box.value = display(initial, field.kind);
  box.buttons = [...(index > 0 ? [vscode.QuickInputButtons.Back] : []), JSON_BUTTON];
  const check = (text: string): { value?: StepResult; error?: string } => {
    const parsed = parseField(field, text);
    if (parsed.error) return { error: parsed.error };
    const single = {
      type: 'object',
      properties: { [field.key]: field.schema },
      required: field.required ? [field.key] : [],
    };
    const v = validate(single, parsed.value === SKIP ? {} : { [field.key]: parsed.value });
    return v.ok ? { value: parsed.value } : { error: v.errors.join('; ') };
  };
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: StepResult) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    const revalidate = () => {
      box.validationMessage = box.value === '' && !field.required ? undefined : check(box.value).error;
    };
    box.onDidChangeValue(revalidate);
    box.onDidTriggerButton((b) => finish(b === vscode.QuickInputButtons.Back ? BACK : AS_JSON));
    box.onDidAccept(() => {
      const r = check(box.value);
      if (r.error) box.validationMessage = r.error;
      else finish(r.value);
    });
    box.onDidHide(() => finish(undefined));
    // An empty box is not an error yet: "b is required" appears when the user accepts it empty.
    if (box.value !== '') revalidate();
    box.show();
  });
}

function hintFor(field: Field): string {
  switch (field.kind) {
    case 'number':
      return 'a number';
    case 'integer':
      return 'an integer';
    case 'stringArray':
      return 'comma-separated values, or a JSON array';
    case 'json':
      return `JSON${typeof field.schema.type === 'string' ? ` (${field.schema.type})` : ''}`;
    default:
      return '';
  }
}

function display(value: unknown, kind: FieldKind): string {
  if (kind === 'string' && typeof value === 'string') return value;
  if (kind === 'stringArray' && Array.isArray(value) && value.every((v) => typeof v === 'string' && !v.includes(',')))
    return value.join(', ');
  return JSON.stringify(value);
}

/** Text of an input box → value of the field's type (or SKIP for an empty optional). */
function parseField(field: Field, text: string): { value?: unknown; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '' && !field.required) return { value: SKIP };
  switch (field.kind) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      if (trimmed === '') return { error: `${field.key} is required` };
      const n = Number(trimmed);
      return Number.isFinite(n) ? { value: n } : { error: `"${trimmed}" is not a number` };
    }
    case 'stringArray':
      if (trimmed.startsWith('[')) return parseJson(trimmed);
      return {
        value:
          trimmed === ''
            ? []
            : trimmed
                .split(',')
                .map((s) => s.trim())
                .filter((s) => s !== ''),
      };
    default:
      return parseJson(trimmed);
  }
}

function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: `Not valid JSON: ${(err as Error).message}` };
  }
}

/** All arguments as one JSON object, validated against the whole schema as it is typed. */
function askJson(
  validate: Validate,
  schema: unknown,
  args: Record<string, unknown>,
  title: string,
  errors?: string[],
): Promise<Record<string, unknown> | undefined> {
  const box = vscode.window.createInputBox();
  box.title = `${title}: arguments as JSON`;
  box.prompt = 'A JSON object matching the input schema';
  box.value = JSON.stringify(args);
  const check = (text: string): { value?: Record<string, unknown>; error?: string } => {
    const parsed = parseJson(text);
    if (parsed.error) return { error: parsed.error };
    if (!isObject(parsed.value)) return { error: 'Arguments must be a JSON object' };
    const v = validate(schema, parsed.value);
    return v.ok ? { value: parsed.value } : { error: v.errors.join('; ') };
  };
  box.validationMessage = errors?.length ? errors.join('; ') : check(box.value).error;
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: Record<string, unknown> | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((t) => (box.validationMessage = check(t).error));
    box.onDidAccept(() => {
      const r = check(box.value);
      if (r.error) box.validationMessage = r.error;
      else finish(r.value);
    });
    box.onDidHide(() => finish(undefined));
    box.show();
  });
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
