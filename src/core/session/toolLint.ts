import { schemaProblem } from './jsonSchema';

/** Problems of one tool from a live `tools/list` (MCP710, with MCP701/702/703 on live data). */
export interface ToolProblems {
  tool: string;
  index: number;
  problems: string[];
  /** SDK-based clients reject the whole `tools/list` because of this tool. */
  rejectsList: boolean;
}

const PORTABLE = /^[a-zA-Z0-9_-]{1,64}$/;
const SEP986 = /^[A-Za-z0-9._/-]{1,128}$/;
const ONLY_2020 = [
  '$dynamicRef',
  '$dynamicAnchor',
  'prefixItems',
  'unevaluatedProperties',
  'unevaluatedItems',
  'dependentSchemas',
  'dependentRequired',
];
const TYPE_HINTS = ['type', 'anyOf', 'oneOf', 'allOf', '$ref', 'enum', 'const', 'not', 'properties', 'items'];

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

function resolvePointer(root: Json, ref: string): boolean {
  if (ref === '#') return true;
  if (!ref.startsWith('#/')) return false;
  let cur: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return false; // `#/%`: not a valid URI fragment, so it resolves to nothing
    }
    if (!isObj(cur) && !Array.isArray(cur)) return false;
    cur = (cur as Json)[key];
    if (cur === undefined) return false;
  }
  return true;
}

/** Walks a schema and reports constructs clients reject. `where` is a readable path. */
function walk(root: Json, node: unknown, where: string, out: string[], depth = 0): void {
  if (!isObj(node) || depth > 40) return;
  const type = node.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('array') && node.items === undefined && node.prefixItems === undefined)
    out.push(
      `\`${where}\` is an array without \`items\` (strict clients such as VS Code and OpenAI reject it: add \`items\`)`,
    );
  if (typeof node.$ref === 'string') {
    if (!node.$ref.startsWith('#'))
      out.push(
        `\`${where}\` uses a remote \`$ref\` (${node.$ref}) that clients do not fetch: inline it or use \`#/$defs/...\``,
      );
    else if (!resolvePointer(root, node.$ref))
      out.push(`\`${where}\` has a \`$ref\` (${node.$ref}) that does not resolve inside the schema`);
  }
  for (const k of ONLY_2020)
    if (k in node)
      out.push(
        `\`${where}\` uses \`${k}\`, a draft 2020-12 keyword that draft-07 validators (VS Code) do not understand`,
      );
  if (isObj(node.properties)) {
    for (const [name, sub] of Object.entries(node.properties)) {
      const p = `${where}.${name}`;
      if (isObj(sub) && !TYPE_HINTS.some((k) => k in sub))
        out.push(`\`${p}\` has no \`type\` (some clients drop untyped properties)`);
      walk(root, sub, p, out, depth + 1);
    }
  }
  if (isObj(node.items)) walk(root, node.items, `${where}[]`, out, depth + 1);
  else if (Array.isArray(node.items)) node.items.forEach((s, i) => walk(root, s, `${where}[${i}]`, out, depth + 1));
  if (isObj(node.additionalProperties)) walk(root, node.additionalProperties, `${where}.*`, out, depth + 1);
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = node[k];
    if (Array.isArray(list)) list.forEach((s, i) => walk(root, s, `${where}(${k}[${i}])`, out, depth + 1));
  }
  for (const k of ['$defs', 'definitions'] as const) {
    const defs = node[k];
    if (isObj(defs)) for (const [n, s] of Object.entries(defs)) walk(root, s, `${k}.${n}`, out, depth + 1);
  }
}

/** Checks one tool's name, description and schemas. */
function lintTool(tool: Json): string[] {
  const problems: string[] = [];
  const name = typeof tool.name === 'string' ? tool.name : '';
  if (!name) problems.push('the tool has no `name`');
  else if (!SEP986.test(name) || /[\s,]/.test(name))
    problems.push(
      `name \`${name}\` is not valid under SEP-986 (ASCII letters, digits, \`_ - . /\`, at most 128): most clients reject the whole tool list`,
    );
  else if (!PORTABLE.test(name))
    problems.push(
      `name \`${name}\` does not match \`^[a-zA-Z0-9_-]{1,64}$\` (Claude Desktop, the Anthropic API and Copilot CLI reject it): use letters, digits, \`_\` and \`-\` only`,
    );
  if (typeof tool.description !== 'string' || !tool.description.trim())
    problems.push('no `description`: models pick tools by their description, so this tool is rarely or wrongly used');
  const input = tool.inputSchema;
  if (!isObj(input)) problems.push('`inputSchema` is missing or not an object');
  else {
    if (input.type !== 'object')
      problems.push(`\`inputSchema.type\` is ${JSON.stringify(input.type)}, not "object" (required by the MCP spec)`);
    const error = schemaProblem(input);
    if (error) problems.push(`\`inputSchema\` is not valid JSON Schema: ${error}`);
    walk(input, input, 'inputSchema', problems);
  }
  if (tool.outputSchema !== undefined) {
    const output = tool.outputSchema;
    if (!isObj(output) || output.type !== 'object')
      problems.push('`outputSchema` must be an object schema (`type: "object"`): clients reject scalar output schemas');
    else {
      const error = schemaProblem(output);
      if (error) problems.push(`\`outputSchema\` is not valid JSON Schema: ${error}`);
      walk(output, output, 'outputSchema', problems);
    }
  }
  return problems;
}

/**
 * SDK-based clients validate `tools/list` as a whole against the spec's types: a tool without a
 * name, or whose input or output schema is not an object schema, fails the entire response.
 */
function rejectsWholeList(tool: Json): boolean {
  const input = tool.inputSchema;
  const output = tool.outputSchema;
  return (
    typeof tool.name !== 'string' ||
    !isObj(input) ||
    input.type !== 'object' ||
    (output !== undefined && (!isObj(output) || output.type !== 'object'))
  );
}

/** Lints a whole `tools/list` (including duplicates across pages). One entry per tool with problems. */
export function lintToolList(tools: readonly unknown[]): ToolProblems[] {
  const seen = new Map<string, number>();
  const out: ToolProblems[] = [];
  tools.forEach((t, index) => {
    const tool = isObj(t) ? t : {};
    const name = typeof tool.name === 'string' ? tool.name : `#${index}`;
    const problems = lintTool(tool);
    const first = seen.get(name);
    if (first !== undefined)
      problems.unshift(
        `duplicate tool name \`${name}\` (also tool #${first + 1}): clients keep only one of them, or reject the list`,
      );
    else seen.set(name, index);
    if (problems.length) out.push({ tool: name, index, problems, rejectsList: rejectsWholeList(tool) });
  });
  return out;
}
