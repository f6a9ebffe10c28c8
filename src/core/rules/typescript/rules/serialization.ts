import type * as ts from 'typescript';
import type { TextEdit } from '../../../model';
import {
  compareVersions,
  edit,
  getProp,
  getPropValue,
  packageVersion,
  stringValue,
  unwrap,
  unwrapAwait,
} from '../astUtil';
import type { RuleContext } from '../context';
import type { DefFact } from '../facts';
import { initializerOf, resolveRef } from '../resolve';
import { zodChain, zodObjectShape } from '../schemas';

/** Serialization rules: MCP203 204 205 207 208. */
export function serializationRules(ctx: RuleContext): void {
  mcp203and208(ctx);
  mcp204(ctx);
  mcp205(ctx);
  mcp207(ctx);
}

function isTrue(ctx: RuleContext, e: ts.Expression | undefined): boolean {
  return !!e && unwrap(e).kind === ctx.ts.SyntaxKind.TrueKeyword;
}

function hasSpread(o: ts.ObjectLiteralExpression, ctx: RuleContext): boolean {
  return o.properties.some((p) => ctx.ts.isSpreadAssignment(p));
}

/** `string | number | boolean`-ish expression kinds (for wrapping into a text block). */
function scalarKind(ctx: RuleContext, e: ts.Expression): 'string' | 'number' | 'boolean' | undefined {
  const { ts } = ctx;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isTemplateExpression(e)) return 'string';
  if (ts.isNumericLiteral(e) || (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand))) return 'number';
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return 'boolean';
  if (ts.isCallExpression(e)) {
    const t = e.expression.getText(ctx.sf);
    if (t === 'JSON.stringify' || t === 'String') return 'string';
    if (
      ts.isPropertyAccessExpression(e.expression) &&
      ['toString', 'join', 'trim', 'toFixed'].includes(e.expression.name.text)
    )
      return 'string';
  }
  return undefined;
}

function mcp203and208(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  for (const d of ctx.tools) {
    if (d.style === 'lowlevel' || !d.handler) continue;
    const name = d.def.name;
    const hasOutput = !!d.outputSchema;
    for (const { expr } of ctx.returnsOf(d.handler)) {
      let top = expr;
      while (ts.isParenthesizedExpression(top) || ts.isAwaitExpression(top)) top = top.expression;
      const e = unwrapAwait(expr);
      if (d.style === 'fastmcp') {
        fastmcpReturn(ctx, d, top, e, hasOutput);
        continue;
      }
      // Official SDK: must be a CallToolResult.
      if (ts.isObjectLiteralExpression(e)) {
        if (hasSpread(e, ctx)) continue;
        const isError = isTrue(ctx, getPropValue(e, 'isError'));
        if (hasOutput) {
          if (!getProp(e, 'structuredContent') && !isError) {
            ctx.report(
              'MCP203',
              e,
              `Tool \`${name}\` declares an \`outputSchema\` but this result has no \`structuredContent\`: spec-following clients reject it ("Tool ${name} has an output schema but did not return structured content", \`MCP error -32600\`). Return \`structuredContent\` matching the schema next to \`content\`.`,
              { data: { tool: name } },
            );
          }
        } else if (!getProp(e, 'content')) {
          ctx.report(
            'MCP208',
            e,
            `Tool \`${name}\` returns an object without \`content\`: the SDK expects a \`CallToolResult\` and answers \`MCP error -32602: Invalid tools/call result\` (or an empty result). Return \`{ content: [{ type: "text", text: JSON.stringify(value) }] }\`.`,
            {
              fixes: [
                ctx.fix(
                  'Wrap the value in a text content block',
                  [
                    edit(
                      file,
                      sf,
                      e.getStart(sf),
                      e.getEnd(),
                      `{ content: [{ type: "text", text: JSON.stringify(${e.getText(sf)}) }] }`,
                    ),
                  ],
                  true,
                ),
              ],
              data: { tool: name },
            },
          );
        }
        continue;
      }
      const kind = scalarKind(ctx, e);
      if (kind) {
        const text = kind === 'string' ? e.getText(sf) : `String(${e.getText(sf)})`;
        ctx.report(
          'MCP208',
          e,
          `Tool \`${name}\` returns a bare ${kind}: the official SDK expects a \`CallToolResult\` (\`{ content: [...] }\`) and answers \`MCP error -32602: Invalid tools/call result\`. Wrap it: \`{ content: [{ type: "text", text: ... }] }\`.`,
          {
            fixes: [
              ctx.fix(
                'Wrap the value in a text content block',
                [edit(file, sf, e.getStart(sf), e.getEnd(), `{ content: [{ type: "text", text: ${text} }] }`)],
                true,
              ),
            ],
            data: { tool: name },
          },
        );
      }
    }
  }
}

function fastmcpReturn(ctx: RuleContext, d: DefFact, top: ts.Expression, e: ts.Expression, hasOutput: boolean): void {
  const { ts, sf, file } = ctx;
  const name = d.def.name;
  if (hasOutput) {
    const k = scalarKind(ctx, e);
    if (k === 'string') {
      ctx.report(
        'MCP203',
        e,
        `Tool \`${name}\` declares an \`outputSchema\` but returns a string: clients expect \`structuredContent\` matching the schema. Return an object that matches \`outputSchema\`.`,
        { data: { tool: name } },
      );
    }
    return;
  }
  let bad: string | undefined;
  let fixText: string | undefined;
  if (
    ts.isAsExpression(top) &&
    (top.type.kind === ts.SyntaxKind.NumberKeyword || top.type.kind === ts.SyntaxKind.BooleanKeyword)
  ) {
    bad = top.type.kind === ts.SyntaxKind.NumberKeyword ? 'a number' : 'a boolean';
    fixText = `String(${top.expression.getText(sf)})`;
  } else {
    const k = scalarKind(ctx, e);
    if (k === 'number' || k === 'boolean') {
      bad = `a ${k}`;
      fixText = `String(${e.getText(sf)})`;
    } else if (ts.isCallExpression(e) && e.expression.getText(sf) === 'JSON.parse') {
      bad = 'the result of `JSON.parse(...)`';
      fixText = e.arguments[0] ? e.arguments[0].getText(sf) : undefined;
    } else if (ts.isObjectLiteralExpression(e) && !hasSpread(e, ctx) && !getProp(e, 'content') && !getProp(e, 'type')) {
      bad = 'a plain object';
      fixText = `JSON.stringify(${e.getText(sf)})`;
    }
  }
  if (!bad) return;
  const target = ts.isAsExpression(top) ? top : e;
  ctx.report(
    'MCP208',
    target,
    `Tool \`${name}\` returns ${bad}; fastmcp accepts a string or content objects, so the call fails with \`Tool '${name}' execution failed\`. Return \`JSON.stringify(value)\` (or a string).`,
    {
      fixes: fixText
        ? [
            ctx.fix(
              'Return the value as a string',
              [edit(file, sf, target.getStart(sf), target.getEnd(), fixText)],
              true,
            ),
          ]
        : [],
      data: { tool: name },
    },
  );
}

/** True when an expression is (or names) raw bytes rather than base64 text. */
function isRawBuffer(ctx: RuleContext, expr: ts.Expression, depth = 0): boolean {
  const { ts } = ctx;
  const e = unwrapAwait(expr);
  if (ts.isCallExpression(e)) {
    const t = e.expression.getText(ctx.sf);
    if (/^Buffer\.(from|alloc|concat)$/.test(t)) return true;
    const ref = resolveRef(ctx.facts, e.expression);
    if (
      ref &&
      (ref.module === 'fs' || ref.module === 'fs/promises') &&
      (ref.name === 'readFile' || ref.name === 'readFileSync')
    ) {
      const enc = e.arguments[1];
      return !enc; // no encoding → Buffer
    }
    return false;
  }
  if (ts.isIdentifier(e) && depth < 2) {
    const init = initializerOf(ctx.facts, e);
    return !!init && isRawBuffer(ctx, init, depth + 1);
  }
  return false;
}

function mcp204(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  if (!/['"`](image|audio)['"`]/.test(sf.text)) return;
  for (const o of ctx.facts.objects) {
    const type = stringValue(getPropValue(o, 'type'));
    if (type !== 'image' && type !== 'audio') continue;
    const prop = getProp(o, 'data');
    const data = getPropValue(o, 'data');
    if (!prop || !data) continue;
    const v = unwrap(data);
    const head =
      ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)
        ? v.text
        : ts.isTemplateExpression(v)
          ? v.head.text
          : undefined;
    if (head !== undefined && head.startsWith('data:')) {
      const m = /^data:[^,]*,/.exec(head);
      const fixes = [];
      if (m && ts.isTemplateExpression(v)) {
        const start = v.head.getStart(sf) + 1; // after the backtick
        fixes.push(ctx.fix('Remove the data: URI prefix', [edit(file, sf, start, start + m[0].length, '')], true));
      }
      ctx.report(
        'MCP204',
        v,
        `The ${type} content's \`data\` starts with a \`data:\` URI prefix; MCP expects raw base64 there (clients answer \`Invalid Base64 string\`). Drop the \`data:<mime>;base64,\` prefix and keep \`mimeType\` separate.`,
        { fixes },
      );
      continue;
    }
    if (isRawBuffer(ctx, v)) {
      const edits: TextEdit[] = ts.isShorthandPropertyAssignment(prop)
        ? [edit(file, sf, prop.getStart(sf), prop.getEnd(), `data: ${prop.name.text}.toString("base64")`)]
        : [
            edit(
              file,
              sf,
              v.getStart(sf),
              v.getEnd(),
              `${ts.isIdentifier(v) || ts.isCallExpression(v) ? v.getText(sf) : `(${v.getText(sf)})`}.toString("base64")`,
            ),
          ];
      ctx.report(
        'MCP204',
        v,
        `The ${type} content's \`data\` is a Buffer; it is serialised as a JSON object of bytes, not base64, and clients cannot decode it. Use \`.toString("base64")\`.`,
        { fixes: [ctx.fix('Encode the bytes as base64', edits, true)] },
      );
    }
  }
}

function schemaExpr(ctx: RuleContext, schema: ts.Expression): ts.Expression {
  const s = unwrap(schema);
  if (ctx.ts.isIdentifier(s)) {
    const init = initializerOf(ctx.facts, s);
    if (init) return unwrap(init);
  }
  return s;
}

/** True for an object literal whose values are zod schemas: a raw shape. */
function isRawShape(ctx: RuleContext, e: ts.Expression): e is ts.ObjectLiteralExpression {
  const { ts } = ctx;
  if (!ts.isObjectLiteralExpression(e) || e.properties.length === 0) return false;
  return (
    e.properties.every(
      (p) =>
        ts.isPropertyAssignment(p) && (zodChain(p.initializer) !== undefined || ts.isIdentifier(unwrap(p.initializer))),
    ) && e.properties.some((p) => ts.isPropertyAssignment(p) && zodChain(p.initializer) !== undefined)
  );
}

function mcp205(ctx: RuleContext): void {
  const { sf, file } = ctx;
  const sdkVersion = packageVersion(ctx.project.packages, '@modelcontextprotocol/sdk');
  const v2 = ctx.facts.moduleSpecifiers.some((s) => s.module.startsWith('@modelcontextprotocol/server'));
  const zodName = 'z';
  for (const d of ctx.facts.defs) {
    if (d.def.kind !== 'tool' || !d.schema) continue;
    const s = schemaExpr(ctx, d.schema);
    const shape = zodObjectShape(s);
    const direct = unwrap(d.schema) === s; // written inline, not via a variable
    const unwrapFix = () => {
      const c = zodChain(s);
      if (!direct || !shape || !c || c.methods.length > 0) return [];
      return [
        ctx.fix(
          'Pass the raw shape instead of z.object(...)',
          [edit(file, sf, s.getStart(sf), s.getEnd(), shape.getText(sf))],
          true,
        ),
      ];
    };
    const wrapFix = () =>
      direct
        ? [
            ctx.fix(
              'Wrap the shape in z.object(...)',
              [
                edit(file, sf, s.getStart(sf), s.getStart(sf), `${zodName}.object(`),
                edit(file, sf, s.getEnd(), s.getEnd(), ')'),
              ],
              true,
            ),
          ]
        : [];
    // @modelcontextprotocol/server 2.x takes both forms: it wraps a raw shape of zod 4 fields in
    // z.object() itself (normalizeRawShapeSchema). zod older than 4.2 fails there in any form: MCP206.
    if (d.style === 'positional' && shape && !v2) {
      ctx.report(
        'MCP205',
        d.schema,
        `\`${d.def.name}\` passes \`z.object(...)\` to \`server.tool()\`, which expects a zod raw shape (\`{ a: z.string() }\`): SDK 1.12–1.27 publishes an empty input schema (clients send no arguments) and 1.28+ throws. Pass the shape object itself.`,
        { fixes: unwrapFix(), data: { tool: d.def.name, expected: 'raw-shape' } },
      );
    } else if (
      d.style === 'register' &&
      shape &&
      !v2 &&
      sdkVersion &&
      compareVersions(sdkVersion, '1.12.0') >= 0 &&
      compareVersions(sdkVersion, '1.22.0') < 0
    ) {
      ctx.report(
        'MCP205',
        d.schema,
        `\`${d.def.name}\` passes \`z.object(...)\` as \`inputSchema\`, which @modelcontextprotocol/sdk ${sdkVersion} does not accept (\`tools/list\` fails with "Cannot read properties of null (reading '_def')"; 1.22+ accepts it). Pass the raw shape, or upgrade the SDK.`,
        { fixes: unwrapFix(), data: { tool: d.def.name, expected: 'raw-shape', sdkVersion } },
      );
    } else if (d.style === 'fastmcp' && isRawShape(ctx, s)) {
      ctx.report(
        'MCP205',
        d.schema,
        `\`${d.def.name}\` passes a plain object of zod schemas as \`parameters\`; fastmcp requires a Standard Schema object and throws ("must implement Standard Schema"). Wrap it in \`z.object({...})\`.`,
        { fixes: wrapFix(), data: { tool: d.def.name, expected: 'standard-schema' } },
      );
    }
  }
}

const REJECTED: Record<string, string> = {
  date: '`z.date()` has no JSON representation (clients get an empty or string-less schema); use `z.string().datetime()`',
  bigint: '`z.bigint()` cannot be expressed in JSON Schema; use `z.string()` (or `z.number().int()`)',
  map: '`z.map()` has no JSON Schema form; use `z.record(z.string(), ...)`',
  set: '`z.set()` has no JSON Schema form; use `z.array(...)`',
  function: '`z.function()` cannot be sent as JSON',
  instanceof: '`z.instanceof()` produces an empty schema; describe the JSON shape instead',
  custom: '`z.custom()` produces an empty schema; describe the JSON shape instead',
  symbol: '`z.symbol()` cannot be sent as JSON',
  promise: '`z.promise()` cannot be sent as JSON',
  lazy: '`z.lazy()` emits a recursive `$ref` that several clients cannot resolve',
};

function isAnyish(ctx: RuleContext, e: ts.Expression | undefined): boolean {
  if (!e) return false;
  const c = zodChain(e);
  return !!c && (c.root === 'any' || c.root === 'unknown') && c.methods.length === 0;
}

/** Constructs MCP207 knows; files without any of them skip the schema walk. */
const MCP207_PREFILTER =
  /\b(date|bigint|map|set|function|instanceof|custom|symbol|promise|lazy|any|unknown|transform)\(|['"`]array['"`]/;

function mcp207(ctx: RuleContext): void {
  const { ts, sf, file } = ctx;
  if (!MCP207_PREFILTER.test(sf.text)) return;
  const seen = new Set<ts.Node>();
  for (const d of ctx.facts.defs) {
    if (d.def.kind !== 'tool' || !d.schema) continue;
    const root = schemaExpr(ctx, d.schema);
    if (seen.has(root)) continue;
    seen.add(root);
    const tool = d.def.name;
    const visit = (n: ts.Node): void => {
      // Follow shared sub-schemas: `{ filter: FilterSchema }` with `const FilterSchema = z.object(...)`.
      if (ts.isIdentifier(n) && n.parent && ts.isPropertyAssignment(n.parent) && n.parent.initializer === n) {
        const init = initializerOf(ctx.facts, n);
        if (init && !seen.has(init)) {
          seen.add(init);
          visit(init);
        }
        return;
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const obj = unwrap(n.expression.expression);
        const method = n.expression.name.text;
        if (ts.isIdentifier(obj) && (obj.text === 'z' || obj.text === 'zod')) {
          let why = REJECTED[method];
          const fixes = [];
          if (method === 'date')
            fixes.push(
              ctx.fix(
                'Use z.string().datetime()',
                [edit(file, sf, n.getStart(sf), n.getEnd(), `${obj.text}.string().datetime()`)],
                true,
              ),
            );
          if (method === 'bigint')
            fixes.push(ctx.fix('Use z.string()', [edit(file, sf, n.getStart(sf), n.getEnd(), `${obj.text}.string()`)]));
          if (method === 'array' && isAnyish(ctx, n.arguments[0])) {
            why = `\`${n.getText(sf).slice(0, 60)}\` publishes an array without \`items\`; VS Code and others drop the whole tool ("array type must have items")`;
            fixes.push(
              ctx.fix('Use z.array(z.string())', [
                edit(file, sf, n.arguments[0]!.getStart(sf), n.arguments[0]!.getEnd(), `${obj.text}.string()`),
              ]),
            );
          }
          // A record of untyped values is valid JSON Schema (`additionalProperties: {}`), like Python's
          // bare `dict`: only the model's guidance suffers (info).
          const untypedRecord = method === 'record' && isAnyish(ctx, n.arguments[n.arguments.length - 1]);
          // A described free-form field (`z.record(z.any()).describe("The policy document")`) tells the model what goes in.
          if (untypedRecord && describedField(ts, n)) {
            ts.forEachChild(n, visit);
            return;
          }
          if (untypedRecord)
            why = `\`${n.getText(sf).slice(0, 60)}\` publishes an object whose values have no type (\`additionalProperties: {}\`): the model gets no guidance on what to put in it, and clients that accept only a subset of JSON Schema may drop the property. Give the values a type (\`z.record(z.string())\`) or describe the expected keys`;
          if (why)
            ctx.report('MCP207', n, `Tool \`${tool}\`: ${why}.`, {
              fixes,
              data: { tool, construct: method },
              ...(untypedRecord ? { severity: 'info' as const } : {}),
            });
        } else if (method === 'transform' && zodChain(n.expression.expression) !== undefined) {
          ctx.report(
            'MCP207',
            n.expression.name,
            `Tool \`${tool}\`: \`.transform()\` publishes the input type in the JSON schema while the handler receives the transformed type; clients validate against the wrong shape. Transform inside the handler instead.`,
            { data: { tool, construct: 'transform' } },
          );
        }
      }
      // JSON schema form (low-level servers): { type: "array" } without items
      if (ts.isObjectLiteralExpression(n) && stringValue(getPropValue(n, 'type')) === 'array' && !getProp(n, 'items')) {
        ctx.report(
          'MCP207',
          n,
          `Tool \`${tool}\`: an \`array\` schema without \`items\`; VS Code's validator rejects it and omits the tool. Add \`items: { type: "string" }\` (or the real item type).`,
          { data: { tool, construct: 'array-without-items' } },
        );
      }
      ts.forEachChild(n, visit);
    };
    visit(root);
  }
}

/** Whether the schema field a zod expression sits in carries a `.describe(...)` (on it or on a union around it). */
function describedField(ts: typeof import('typescript'), n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p && !ts.isPropertyAssignment(p); p = p.parent) {
    if (ts.isPropertyAccessExpression(p) && p.name.text === 'describe' && p.parent && ts.isCallExpression(p.parent))
      return true;
    if (ts.isStatement(p) || ts.isObjectLiteralExpression(p)) return false;
  }
  return false;
}
