import * as vscode from 'vscode';
import { multiChoices, singleChoices, type Choice } from '../../core/session/elicitation';
import type { validateToolArgs as ValidateFn } from '../../core/session/validateArgs';

type Schema = Record<string, unknown>;
type Validate = typeof ValidateFn;
type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'select' | 'multi' | 'stringArray' | 'json';

/** How a form is asked: the tool and prompt forms, and a server's elicitation form. */
export interface FormOptions {
  /** Values to start from (the last arguments of a tool, a request to edit). */
  initial?: Record<string, unknown>;
  /** Adds a Decline button to every step (elicitation): the form then ends with `decline`. */
  declinable?: boolean;
  /**
   * Suggestions for a string field as its value is typed (`completion/complete`); `args` are
   * the values given so far (the completion context).
   */
  suggest?(key: string, value: string, args: Record<string, unknown>): Promise<string[]>;
  /** What the suggestions are, shown beside each (default: suggested by the server). */
  suggestionsAre?: string;
  /** Which string fields get the suggestion picker (default: all, when `suggest` is given). */
  suggests?(key: string): boolean;
  /** Ends the form as `cancel` (the server withdrew its request, or the call ended). */
  signal?: AbortSignal;
}

/** How a form ended: the values, an explicit decline, or a dismissal (Escape). */
export type FormResult =
  { action: 'accept'; values: Record<string, unknown> } | { action: 'decline' } | { action: 'cancel' };

/** One input of the form, derived from a property of the input schema. */
interface Field {
  key: string;
  schema: Schema;
  kind: FieldKind;
  required: boolean;
  /** The schema's title, else the key. */
  label: string;
  description?: string;
  /** Labelled choices of `select` and `multi` fields. */
  choices?: Choice[];
}

const BACK = Symbol('back');
const AS_JSON = Symbol('json');
const SKIP = Symbol('skip');
const DECLINE = Symbol('decline');
type StepResult = unknown | typeof BACK | typeof AS_JSON | typeof SKIP | typeof DECLINE | undefined;

const JSON_BUTTON: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('json'),
  tooltip: 'Edit all values as JSON',
};

const DECLINE_BUTTON: vscode.QuickInputButton = {
  iconPath: new vscode.ThemeIcon('close'),
  tooltip: 'Decline (the server is told you declined)',
};

/** How long typing pauses before suggestions are asked for. */
const SUGGEST_DEBOUNCE_MS = 150;

/**
 * Asks for the arguments of a tool (or prompt) with one quick input per property of its input
 * schema: required properties first, defaults (or `opts.initial`) prefilled, descriptions shown,
 * each value checked with `validateToolArgs` as it is typed. Resolves undefined when the user cancels.
 */
export async function askArguments(
  schema: unknown,
  title: string,
  opts: FormOptions = {},
): Promise<Record<string, unknown> | undefined> {
  const r = await askForm(schema, title, opts);
  return r.action === 'accept' ? r.values : undefined;
}

/**
 * The form behind `askArguments`, with the three endings an elicitation needs: accept (with the
 * values), decline (the Decline button, when `declinable`) and cancel (Escape).
 */
export async function askForm(schema: unknown, title: string, opts: FormOptions = {}): Promise<FormResult> {
  const fields = fieldsOf(schema);
  if (!fields.length) return opts.declinable ? confirm(title, opts.signal) : { action: 'accept', values: {} };
  // Loaded on first use: the validator (ajv) is not needed at activation.
  const { validateToolArgs: validate } = await import('../../core/session/validateArgs');
  const args: Record<string, unknown> = {};
  for (const f of fields) if (opts.initial && Object.hasOwn(opts.initial, f.key)) args[f.key] = opts.initial[f.key];
  const ctx: StepContext = { validate, title, total: fields.length, opts, args, index: 0 };
  if (opts.signal?.aborted) return { action: 'cancel' };
  for (let i = 0; i < fields.length;) {
    const field = fields[i];
    const result = await askField({ ...ctx, index: i }, field, args[field.key]);
    if (result === undefined) return { action: 'cancel' };
    if (result === DECLINE) return { action: 'decline' };
    if (result === BACK) {
      i = Math.max(0, i - 1);
      continue;
    }
    if (result === AS_JSON) return askJson(validate, schema, args, title, opts);
    if (result === SKIP) delete args[field.key];
    else args[field.key] = result;
    i += 1;
  }
  const check = validate(schema, args);
  return check.ok ? { action: 'accept', values: args } : askJson(validate, schema, args, title, opts, check.errors);
}

/** What every step needs besides its field. */
interface StepContext {
  validate: Validate;
  title: string;
  index: number;
  total: number;
  opts: FormOptions;
  /** The values so far (read by suggestions as their context). */
  args: Record<string, unknown>;
}

/**
 * Whether a step stays open when the focus moves away (to the terminal, the trace, another
 * window): an elicitation must be answered, and a form of several fields would lose what was
 * typed. A one-field tool form closes like any quick input.
 */
function keepOpen(ctx: StepContext): boolean {
  return !!ctx.opts.declinable || ctx.total > 1;
}

/** A form without fields (an elicitation that only asks for a yes): Accept or Decline. */
async function confirm(title: string, signal?: AbortSignal): Promise<FormResult> {
  type Item = vscode.QuickPickItem & { action: 'accept' | 'decline' };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = title;
  pick.placeholder = 'Accept or decline';
  pick.items = [
    { label: '$(check) Accept', action: 'accept' },
    { label: '$(close) Decline', action: 'decline' },
  ];
  pick.ignoreFocusOut = true;
  const r = await run(
    pick,
    (finish) =>
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0] ?? pick.activeItems[0];
        if (item) finish(item.action);
      }),
    signal,
  );
  return r === 'accept'
    ? { action: 'accept', values: {} }
    : r === 'decline'
      ? { action: 'decline' }
      : { action: 'cancel' };
}

/** Properties of an object schema, required first (declaration order otherwise). */
function fieldsOf(schema: unknown): Field[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [],
  );
  const fields = Object.entries(schema.properties).map(([key, raw]): Field => {
    const prop = unwrapNullable(isObject(raw) ? raw : {});
    const kind = kindOf(prop);
    const title = typeof prop.title === 'string' && prop.title ? prop.title : undefined;
    return {
      key,
      schema: prop,
      kind,
      required: required.has(key),
      label: title ?? key,
      description: typeof prop.description === 'string' ? prop.description : title,
      choices: kind === 'select' ? singleChoices(prop) : kind === 'multi' ? multiChoices(prop) : undefined,
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
  // Labelled or string-only choices (titled `oneOf`, legacy `enumNames`) and multi-select (SEP-1330).
  if (singleChoices(prop)?.length) return 'select';
  if (multiChoices(prop)?.length) return 'multi';
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

function askField(ctx: StepContext, field: Field, current: unknown): Promise<StepResult> {
  switch (field.kind) {
    case 'enum':
    case 'boolean':
    case 'select':
      return pickField(ctx, field, current);
    case 'multi':
      return multiField(ctx, field, current);
    case 'string':
      return ctx.opts.suggest && (ctx.opts.suggests?.(field.key) ?? true)
        ? suggestField(ctx, field, current)
        : inputField(ctx, field, current);
    default:
      return inputField(ctx, field, current);
  }
}

function stepTitle(title: string, field: Field): string {
  return `${title}: ${field.label}${field.required ? '' : ' (optional)'}`;
}

function stepButtons(ctx: StepContext): vscode.QuickInputButton[] {
  return [
    ...(ctx.index > 0 ? [vscode.QuickInputButtons.Back] : []),
    JSON_BUTTON,
    ...(ctx.opts.declinable ? [DECLINE_BUTTON] : []),
  ];
}

function buttonResult(b: vscode.QuickInputButton): StepResult {
  return b === vscode.QuickInputButtons.Back ? BACK : b === DECLINE_BUTTON ? DECLINE : AS_JSON;
}

/**
 * Shows one quick input and resolves once with how it ended: hiding it (Escape) or an aborted
 * `signal` resolves undefined.
 */
function run<T extends vscode.QuickInput>(
  input: T,
  wire: (finish: (v: StepResult) => void) => void,
  signal?: AbortSignal,
): Promise<StepResult> {
  return new Promise((resolve) => {
    let done = false;
    const onAbort = () => finish(undefined);
    const finish = (v: StepResult) => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(v);
      input.dispose();
    };
    if (signal?.aborted) return finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    wire(finish);
    input.onDidHide(() => finish(undefined));
    input.show();
  });
}

function pickField(ctx: StepContext, field: Field, current: unknown): Promise<StepResult> {
  type Item = vscode.QuickPickItem & { value: unknown };
  const items: Item[] =
    field.kind === 'select'
      ? field.choices!.map((c) => ({
          label: c.label,
          description: [c.label !== c.value ? c.value : '', c.value === field.schema.default ? 'default' : '']
            .filter(Boolean)
            .join(' · '),
          value: c.value,
        }))
      : (field.kind === 'boolean' ? [true, false] : (field.schema.enum as unknown[])).map((v) => ({
          label: typeof v === 'string' ? v : JSON.stringify(v),
          description: v === field.schema.default ? 'default' : undefined,
          value: v,
        }));
  if (!field.required) items.push({ label: '$(circle-slash) Leave unset', value: SKIP });
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = stepTitle(ctx.title, field);
  pick.step = ctx.index + 1;
  pick.totalSteps = ctx.total;
  pick.placeholder = field.description ?? `Choose a value for ${field.label}`;
  pick.items = items;
  pick.buttons = stepButtons(ctx);
  pick.ignoreFocusOut = keepOpen(ctx);
  const preferred = current !== undefined ? current : field.schema.default;
  const active = items.find((i) => i.value === preferred);
  if (active) pick.activeItems = [active];
  return run(
    pick,
    (finish) => {
      pick.onDidTriggerButton((b) => finish(buttonResult(b)));
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0] ?? pick.activeItems[0];
        if (item) finish(item.value);
      });
    },
    ctx.opts.signal,
  );
}

/** A multi-select enum (SEP-1330): check the values, within `minItems`/`maxItems`. */
function multiField(ctx: StepContext, field: Field, current: unknown): Promise<StepResult> {
  type Item = vscode.QuickPickItem & { value: string };
  const defaults = Array.isArray(field.schema.default) ? field.schema.default : [];
  const items: Item[] = field.choices!.map((c) => ({
    label: c.label,
    description: [c.label !== c.value ? c.value : '', defaults.includes(c.value) ? 'default' : '']
      .filter(Boolean)
      .join(' · '),
    value: c.value,
  }));
  const chosen = Array.isArray(current) ? current : defaults;
  const pick = vscode.window.createQuickPick<Item>();
  pick.canSelectMany = true;
  pick.title = stepTitle(ctx.title, field);
  pick.step = ctx.index + 1;
  pick.totalSteps = ctx.total;
  const limits = [
    typeof field.schema.minItems === 'number' ? `at least ${field.schema.minItems}` : '',
    typeof field.schema.maxItems === 'number' ? `at most ${field.schema.maxItems}` : '',
  ].filter(Boolean);
  const hint = [field.description, limits.length ? `choose ${limits.join(', ')}` : ''].filter(Boolean).join(' — ');
  pick.placeholder = hint || `Choose values for ${field.label}`;
  pick.items = items;
  pick.selectedItems = items.filter((i) => chosen.includes(i.value));
  pick.buttons = stepButtons(ctx);
  pick.ignoreFocusOut = keepOpen(ctx);
  return run(
    pick,
    (finish) => {
      pick.onDidTriggerButton((b) => finish(buttonResult(b)));
      pick.onDidAccept(() => {
        const values = pick.selectedItems.map((i) => i.value);
        if (!values.length && !field.required && !defaults.length) return finish(SKIP);
        const single = { type: 'object', properties: { [field.key]: field.schema }, required: [field.key] };
        const v = ctx.validate(single, { [field.key]: values });
        if (v.ok) finish(values);
        else pick.placeholder = `${v.errors.join('; ')} — ${hint}`;
      });
    },
    ctx.opts.signal,
  );
}

/**
 * A string field with suggestions from the server (`completion/complete`): a quick pick whose
 * items follow what is typed; Enter takes the highlighted suggestion, or the text as typed.
 */
function suggestField(ctx: StepContext, field: Field, current: unknown): Promise<StepResult> {
  type Item = vscode.QuickPickItem & { value: string | typeof SKIP };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = stepTitle(ctx.title, field);
  pick.step = ctx.index + 1;
  pick.totalSteps = ctx.total;
  pick.placeholder = [field.description, 'type to see suggestions from the server'].filter(Boolean).join(' — ');
  pick.buttons = stepButtons(ctx);
  pick.ignoreFocusOut = keepOpen(ctx);
  pick.matchOnDescription = false;
  const initial = current !== undefined ? current : field.schema.default;
  pick.value = typeof initial === 'string' ? initial : '';
  let asked = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const typedItem = (text: string): Item[] =>
    text ? [{ label: text, description: 'as typed', value: text, alwaysShow: true }] : [];
  const initialText = pick.value;
  const update = (text: string) => {
    const ticket = ++asked;
    pick.busy = true;
    void ctx.opts.suggest!(field.key, text, ctx.args)
      .catch(() => [] as string[])
      .then((values) => {
        if (ticket !== asked) return;
        pick.busy = false;
        const suggestions = values.map((v): Item => ({
          label: v,
          description: ctx.opts.suggestionsAre ?? 'suggested by the server',
          value: v,
          alwaysShow: true,
        }));
        // Empty and optional: Enter leaves it unset (as in the plain input box); else the first suggestion.
        const unset: Item[] =
          !field.required && !text ? [{ label: '$(circle-slash) Leave unset', value: SKIP, alwaysShow: true }] : [];
        pick.items = [...unset, ...suggestions, ...typedItem(values.includes(text) ? '' : text)];
      });
  };
  return run(
    pick,
    (finish) => {
      let echo = true;
      pick.onDidChangeValue((text) => {
        // VS Code may report the initial value once: its suggestions are already asked for.
        const initialEcho = echo && text === initialText;
        echo = false;
        if (initialEcho) return;
        // Suggestions still on their way are for an older text: they must not replace these.
        asked++;
        pick.items = typedItem(text);
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => update(text), SUGGEST_DEBOUNCE_MS);
      });
      pick.onDidTriggerButton((b) => finish(buttonResult(b)));
      pick.onDidAccept(() => {
        const item = pick.selectedItems[0] ?? pick.activeItems[0];
        const value = item ? item.value : pick.value;
        if (value === SKIP) return finish(SKIP);
        if (value === '' && field.required) {
          pick.placeholder = `${field.label} is required`;
          return;
        }
        if (value === '' && !field.required) return finish(SKIP);
        const single = { type: 'object', properties: { [field.key]: field.schema }, required: [field.key] };
        const v = ctx.validate(single, { [field.key]: value });
        if (v.ok) finish(value);
        else pick.placeholder = v.errors.join('; ');
      });
      pick.onDidHide(() => timer && clearTimeout(timer));
      update(pick.value);
    },
    ctx.opts.signal,
  );
}

function inputField(ctx: StepContext, field: Field, current: unknown): Promise<StepResult> {
  const { validate } = ctx;
  const box = vscode.window.createInputBox();
  box.title = stepTitle(ctx.title, field);
  box.step = ctx.index + 1;
  box.totalSteps = ctx.total;
  box.ignoreFocusOut = keepOpen(ctx);
  box.prompt = [field.description, hintFor(field)].filter(Boolean).join(' — ');
  box.placeholder =
    field.schema.default !== undefined
      ? `default: ${display(field.schema.default, field.kind)}`
      : field.required
        ? 'required'
        : 'leave empty to omit';
  const initial = current !== undefined ? current : field.schema.default;
  if (initial !== undefined) box.value = display(initial, field.kind);
  box.buttons = stepButtons(ctx);
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
  return run(
    box,
    (finish) => {
      const revalidate = () => {
        box.validationMessage = box.value === '' && !field.required ? undefined : check(box.value).error;
      };
      box.onDidChangeValue(revalidate);
      box.onDidTriggerButton((b) => finish(buttonResult(b)));
      box.onDidAccept(() => {
        const r = check(box.value);
        if (r.error) box.validationMessage = r.error;
        else finish(r.value);
      });
      // An empty box is not an error yet: "b is required" appears when the user accepts it empty.
      if (box.value !== '') revalidate();
    },
    ctx.opts.signal,
  );
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
    case 'string':
      return typeof field.schema.format === 'string' ? `format: ${field.schema.format}` : '';
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
async function askJson(
  validate: Validate,
  schema: unknown,
  args: Record<string, unknown>,
  title: string,
  opts: FormOptions,
  errors?: string[],
): Promise<FormResult> {
  const box = vscode.window.createInputBox();
  box.title = `${title}: all values as JSON`;
  box.prompt = 'A JSON object matching the schema';
  box.buttons = opts.declinable ? [DECLINE_BUTTON] : [];
  box.ignoreFocusOut = true; // a JSON value being written is not thrown away by a focus change
  box.value = JSON.stringify(args);
  const check = (text: string): { value?: Record<string, unknown>; error?: string } => {
    const parsed = parseJson(text);
    if (parsed.error) return { error: parsed.error };
    if (!isObject(parsed.value)) return { error: 'Arguments must be a JSON object' };
    const v = validate(schema, parsed.value);
    return v.ok ? { value: parsed.value } : { error: v.errors.join('; ') };
  };
  box.validationMessage = errors?.length ? errors.join('; ') : check(box.value).error;
  const r = await run(
    box,
    (finish) => {
      box.onDidChangeValue((t) => (box.validationMessage = check(t).error));
      box.onDidTriggerButton(() => finish(DECLINE));
      box.onDidAccept(() => {
        const c = check(box.value);
        if (c.error) box.validationMessage = c.error;
        else finish(c.value);
      });
    },
    opts.signal,
  );
  if (r === undefined) return { action: 'cancel' };
  if (r === DECLINE) return { action: 'decline' };
  return { action: 'accept', values: r as Record<string, unknown> };
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
