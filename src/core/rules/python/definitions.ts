/**
 * Tools, resources and prompts one Python file registers: decorators (`@mcp.tool`,
 * `@mcp.tool(name=...)`) and registering calls (`mcp.add_tool(fn)`, `mcp.tool(fn)`,
 * `mcp.add_tool(Tool.from_function(fn))`), each with its name, description and parameters.
 */
import type { Definition, DefinitionKind } from '../types';
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';
import type { FunctionFact } from './functions';
import type { ServerFact } from './servers';

/** A tool, resource or prompt registered on a server, with the syntax it came from. */
export interface DefinitionFact {
  def: Definition;
  fn: FunctionFact;
  server: ServerFact;
  /** The decorator's expression (`mcp.tool` or `mcp.tool(...)`) or the registering call. */
  registration: PyNode;
  /** Keyword arguments of the registration (`name=`, `description=`...). */
  kwargs: Map<string, PyNode>;
  /** `@mcp.tool` without a call. */
  bare: boolean;
  /** The string node holding an explicit name, when there is one. */
  nameNode?: PyNode;
}

/** Finds the definitions of the file (run once, by the `PyFile` constructor, after the servers). */
export function findDefinitions(py: PyFile): void {
  if (!py.servers.length) return;
  for (const fn of py.functions) {
    if (!fn.decorated) continue;
    for (const dec of named(fn.decorated)) {
      if (dec.type !== 'decorator') continue;
      const expr = named(dec)[0];
      if (!expr) continue;
      const isCall = expr.type === 'call';
      const sm = serverMethod(py, isCall ? field(expr, 'function') : expr);
      if (!sm || !['tool', 'resource', 'prompt'].includes(sm.method)) continue;
      addDefinition(py, sm.server, sm.method, fn, expr, isCall ? expr : undefined, dec, fn.decorated);
    }
  }
  // mcp.add_tool(fn), mcp.tool(fn), mcp.tool(name=...)(fn), mcp.add_tool(Tool.from_function(fn, ...))
  for (const call of py.calls) {
    const fnExpr = field(call, 'function');
    let sm = serverMethod(py, fnExpr);
    let regCall = call;
    let target = py.positional(call)[0];
    if (!sm && fnExpr?.type === 'call') {
      sm = serverMethod(py, field(fnExpr, 'function'));
      regCall = fnExpr;
      if (sm && !['tool', 'resource', 'prompt'].includes(sm.method)) sm = undefined;
    }
    if (!sm) continue;
    const kind = { add_tool: 'tool', add_prompt: 'prompt', tool: 'tool', prompt: 'prompt', resource: 'resource' }[
      sm.method
    ];
    if (!kind) continue;
    if (regCall === call && sm.method === kind && call.parent?.type === 'decorator') continue;
    if (target?.type === 'call' && /from_function$/.test(py.text(field(target, 'function')!))) {
      regCall = target;
      target = py.positional(target)[0];
    }
    if (target?.type !== 'identifier') continue;
    const fn = py.moduleFunctions.get(py.text(target));
    if (!fn || py.definitions.some((d) => d.fn === fn && d.server === sm!.server && d.def.kind.startsWith(kind)))
      continue;
    addDefinition(py, sm.server, kind, fn, regCall, regCall, call, fn.decorated ?? fn.node);
  }
}

/** The server whose method `node` (an attribute like `mcp.tool`) refers to, with the method. */
function serverMethod(py: PyFile, node: PyNode | undefined): { server: ServerFact; method: string } | undefined {
  if (node?.type !== 'attribute') return undefined;
  const obj = field(node, 'object');
  const attr = field(node, 'attribute');
  if (obj?.type !== 'identifier' || !attr) return undefined;
  const name = py.text(obj);
  const server = py.servers.find((s) => s.name === name);
  return server ? { server, method: py.text(attr) } : undefined;
}

function addDefinition(
  py: PyFile,
  server: ServerFact,
  method: string,
  fn: FunctionFact,
  registration: PyNode,
  regCall: PyNode | undefined,
  nameAt: PyNode,
  whole: PyNode,
): void {
  const kwargs = regCall ? py.kwargs(regCall) : new Map<string, PyNode>();
  const pos = regCall ? py.positional(regCall) : [];
  let kind: DefinitionKind = method as DefinitionKind;
  let uri: string | undefined;
  let nameNode = kwargs.get('name');
  if (method === 'resource') {
    uri = py.str(kwargs.get('uri') ?? pos[0]);
    if (uri && /\{[^{}]*\}/.test(uri)) kind = 'resourceTemplate';
  } else if (!nameNode && pos[0]?.type === 'string') {
    nameNode = pos[0];
  }
  const explicitName = py.constStr(nameNode);
  const dynamicName = !!nameNode && explicitName === undefined;
  const description =
    py.constStr(kwargs.get('description')) ?? (fn.docstring !== undefined ? cleanDoc(fn.docstring) : undefined);
  const params = fn.params
    .filter((p) => !py.isInjected(p))
    .map((p) => ({
      name: p.name,
      type: p.annotation ? py.text(p.annotation) : undefined,
      optional: !!p.default || p.kind !== 'plain',
    }));
  const def: Definition = {
    kind,
    name: explicitName ?? (dynamicName ? py.text(nameNode!) : fn.name),
    ...(dynamicName ? { dynamicName: true } : {}),
    file: py.file,
    range: py.range(whole),
    nameRange: py.src.headRange(nameAt),
    framework: server.framework,
    server: server.name,
    description,
    uri,
    params,
  };
  if (description === undefined) delete def.description;
  if (uri === undefined) delete def.uri;
  const first = firstStatement(fn);
  if (first) def.handler = { range: py.range(fn.node), firstStatement: py.range(first) };
  py.definitions.push({
    def,
    fn,
    server,
    registration,
    kwargs,
    bare: !regCall,
    nameNode: explicitName !== undefined ? nameNode : undefined,
  });
}

/** The first statement a call runs: after the docstring, unless the docstring is all there is. */
function firstStatement(fn: FunctionFact): PyNode | undefined {
  const statements = named(fn.body);
  return fn.docstring !== undefined && statements.length > 1 ? statements[1] : statements[0];
}

/** Like `inspect.cleandoc`: trims, and removes the common indentation of lines after the first. */
function cleanDoc(doc: string): string {
  const lines = doc.replace(/\r\n?/g, '\n').split('\n');
  let indent = Infinity;
  for (const l of lines.slice(1)) {
    if (!l.trim()) continue;
    indent = Math.min(indent, l.length - l.trimStart().length);
  }
  const out = [
    lines[0].trim(),
    ...lines.slice(1).map((l) => (indent === Infinity ? l.trim() : l.slice(indent).trimEnd())),
  ];
  return out.join('\n').trim();
}
