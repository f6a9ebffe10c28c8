/**
 * What one walk over a TypeScript/JavaScript file collects (`Facts`, built by `collect.ts`), and the
 * lookups the rules make on it.
 */
import type * as ts from 'typescript';
import type { Definition, Framework } from '../types';
import { normalizeModule } from './resolve';

/** What an identifier refers to after following imports, `require` and `promisify`. */
export interface ModuleRef {
  /** Module specifier without the `node:` prefix: `child_process`, `fs/promises`, `fastmcp`. */
  module: string;
  /** Exported name; `*` for a namespace, `default` for a default import. */
  name: string;
}

export type TransportKind = 'stdio' | 'http' | 'sse' | 'unknown';

export type ServerKind = 'mcp' | 'lowlevel' | 'fastmcp';

/** A server object constructed in this file. */
export interface ServerFact {
  /** How the code refers to it: `server`, `this.server`, or `<anonymous>`. */
  name: string;
  kind: ServerKind;
  node: ts.NewExpression;
  /** Function (or source file) the server is created in. */
  scope: ts.Node;
  moduleLevel: boolean;
  /** Transports seen in `connect(...)` / `start(...)` calls on it, with the call. */
  starts: { kind: TransportKind; call: ts.CallExpression; options?: ts.ObjectLiteralExpression; opaque?: boolean }[];
}

type DefStyle = 'register' | 'positional' | 'fastmcp' | 'lowlevel';

/** A tool/resource/prompt registration and the syntax the rules need. */
export interface DefFact {
  def: Definition;
  style: DefStyle;
  call: ts.CallExpression;
  /** Key of the server it is registered on (receiver text + scope), for duplicate detection. */
  serverKey: string;
  /** The node holding the name (string literal, or the `name:` value). */
  nameNode?: ts.Expression;
  /** registerTool config / addTool object / low-level tool object. */
  config?: ts.ObjectLiteralExpression;
  /** The input schema expression (raw shape, `z.object(...)`, JSON schema). */
  schema?: ts.Expression;
  /** The config is not an inline object (a variable, a call, or has a spread): its description is unknown. */
  opaqueConfig?: boolean;
  /** Annotations object (positional `tool` overloads). */
  annotations?: ts.Expression;
  /** Description expression when present (string argument or `description:` value). */
  descriptionNode?: ts.Expression;
  handler?: ts.FunctionLikeDeclaration;
  /**
   * Positional `tool(name, schema, cb, { description })`: arguments after the callback, which the
   * SDK's `tool()` ignores (it takes the callback last and drops the rest).
   */
  afterHandler?: ts.Expression[];
  outputSchema?: ts.Expression;
  /**
   * A low-level `setRequestHandler(CallToolRequestSchema, handler)` dispatcher: every tool of
   * the server goes through it. Kept out of `defs` (it is not one tool); MCP502, MCP504 and
   * MCP705 read it as a tool body.
   */
  dispatcher?: true;
}

/** Everything a single walk of the file collects; the rules read only this. */
export interface Facts {
  sf: ts.SourceFile;
  file: string;
  framework?: Framework;
  /** Every import / require / dynamic import / export-from specifier literal, with its module text. */
  moduleSpecifiers: { module: string; node: ts.StringLiteralLike }[];
  bindings: Map<string, ModuleRef>;
  calls: ts.CallExpression[];
  /** Calls by method or function name (`listen` for `app.listen(...)` and `listen(...)`). */
  callsByName: Map<string, ts.CallExpression[]>;
  /** Every `await` in the file. */
  awaits: ts.AwaitExpression[];
  news: ts.NewExpression[];
  objects: ts.ObjectLiteralExpression[];
  /** Variable declarations and parameters by name (identifier bindings only). */
  decls: Map<string, (ts.VariableDeclaration | ts.ParameterDeclaration | ts.BindingElement)[]>;
  /** Named function declarations and `const f = () => ...` by name. */
  functions: Map<string, ts.FunctionLikeDeclaration[]>;
  /** `x = <expr>` assignments by identifier name. */
  assignments: Map<string, ts.BinaryExpression[]>;
  /** Names exported from the module (`export const`, `export {}`, `module.exports`, `export default x`). */
  exported: Set<string>;
  servers: ServerFact[];
  defs: DefFact[];
  /** Every `new XServerTransport(...)` and punkpeye `start(...)` in the file, whatever object it is used with. */
  transportsSeen: { kind: TransportKind; node: ts.Node }[];
  /** Tool handler functions, for "inside a tool" checks. */
  handlers: Set<ts.Node>;
  /** Low-level `tools/call` dispatchers (`setRequestHandler(CallToolRequestSchema, ...)`). */
  dispatchers: DefFact[];
}

/** Calls whose method/function name is one of `names`, in source order. */
export function callsNamed(facts: Facts, ...names: string[]): ts.CallExpression[] {
  if (names.length === 1) return facts.callsByName.get(names[0]!) ?? [];
  const out: ts.CallExpression[] = [];
  for (const n of names) out.push(...(facts.callsByName.get(n) ?? []));
  return out.sort((a, b) => a.pos - b.pos);
}

/** True when the file imports or requires `module` (after `node:` normalization). */
export function importsModule(facts: Facts, ...modules: string[]): boolean {
  return facts.moduleSpecifiers.some((s) => modules.includes(normalizeModule(s.module)));
}
