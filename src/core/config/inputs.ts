/**
 * The `inputs` of a VS Code MCP config (`${input:id}` prompts): read into declarations, with a
 * finding for each one VS Code cannot use (not an object, no id, an unknown type, an id twice).
 */
import type { CheckContext } from './checks';
import { finding } from './findings';
import { describeKind, prop, type PNode } from './pnode';
import type { InputDeclaration } from './types';

/** The declarations of an `inputs` array, with a finding for each entry VS Code cannot use. */
export function readInputs(node: PNode | undefined, ctx: CheckContext): InputDeclaration[] {
  const out: InputDeclaration[] = [];
  if (!node) return out;
  if (node.kind !== 'array') {
    ctx.findings.push(
      finding(
        'MCP037',
        'error',
        `"inputs" must be an array of { "type", "id", "description" } objects.`,
        ctx.file,
        node.range,
      ),
    );
    return out;
  }
  const seen = new Set<string>();
  for (const item of node.items ?? []) {
    const id = prop(item, 'id');
    const type = prop(item, 'type');
    if (item.kind !== 'object' || typeof id?.value !== 'string' || !id.value) {
      ctx.findings.push(
        finding(
          'MCP038',
          'error',
          `Each input needs a string "id" (referenced as \${input:id}) and a "type" ("promptString", "pickString" or "command").`,
          ctx.file,
          item.range,
        ),
      );
      continue;
    }
    if (seen.has(id.value))
      ctx.findings.push(
        finding(
          'MCP039',
          'warning',
          `Input id "${id.value}" is declared twice; VS Code uses one of them. Remove the duplicate.`,
          ctx.file,
          id.range,
        ),
      );
    seen.add(id.value);
    if (typeof type?.value !== 'string' || !['promptString', 'pickString', 'command'].includes(type.value)) {
      ctx.findings.push(
        finding(
          'MCP038',
          'error',
          `Input "${id.value}": "type" must be "promptString", "pickString" or "command", got ${type ? describeKind(type) : 'nothing'}.`,
          ctx.file,
          (type ?? item).range,
        ),
      );
    }
    const decl: InputDeclaration = {
      id: id.value,
      type: typeof type?.value === 'string' ? type.value : 'promptString',
    };
    const d = prop(item, 'description')?.value;
    if (typeof d === 'string') decl.description = d;
    const pw = prop(item, 'password')?.value;
    if (typeof pw === 'boolean') decl.password = pw;
    const opts = prop(item, 'options')?.value;
    if (Array.isArray(opts))
      decl.options = opts.map((o) =>
        typeof o === 'string'
          ? o
          : typeof o === 'object' && o && 'value' in o
            ? String((o as { value: unknown }).value)
            : String(o),
      );
    const def = prop(item, 'default')?.value;
    if (typeof def === 'string') decl.default = def;
    out.push(decl);
  }
  return out;
}
