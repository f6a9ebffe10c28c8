/**
 * Tool, resource and prompt definitions in a TypeScript/JavaScript file, in the four API styles:
 * `registerTool(name, config, cb)`, positional `tool(name, [description], [schema], [annotations],
 * cb)`, punkpeye `addTool({...})`, and low-level `setRequestHandler(ListToolsRequestSchema, ...)`
 * tool lists; each with its name, description, schema, parameters and handler.
 */
import type * as ts from 'typescript';
import type { Definition, DefinitionKind } from '../types';
import { getPropValue, isFunctionLike, propName, rangeOf, stringValue, unwrap, unwrapAwait } from './astUtil';
import type { DefFact, Facts } from './facts';
import { constString, initializerOf, resolveDecl, resolveFunction, resolveRef } from './resolve';
import { schemaParams } from './schemas';
import { findServer } from './servers';
import { loadTypeScript } from './tsLoader';

const SDK_REGISTER: Record<string, DefinitionKind> = {
  registerTool: 'tool',
  registerResource: 'resource',
  registerPrompt: 'prompt',
};

const SDK_POSITIONAL: Record<string, DefinitionKind> = { tool: 'tool', resource: 'resource', prompt: 'prompt' };

const FASTMCP_ADD: Record<string, DefinitionKind> = {
  addTool: 'tool',
  addResource: 'resource',
  addResourceTemplate: 'resourceTemplate',
  addPrompt: 'prompt',
};

export function collectDefinitions(facts: Facts): void {
  const ts = loadTypeScript();
  const { sf } = facts;
  const hasSdk = facts.moduleSpecifiers.some((s) => s.module.startsWith('@modelcontextprotocol/'));
  const hasFast = facts.framework === 'ts-fastmcp';
  for (const call of facts.calls) {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = callee.name.text;
    const recv = callee.expression.getText(sf);
    const server = findServer(facts, recv, call);
    const serverKey = server ? `${server.name}@${server.node.pos}` : recv;
    const base = { call, serverKey };
    if (Object.hasOwn(SDK_REGISTER, method) && hasSdk && (!server || server.kind === 'mcp')) {
      const d = sdkRegister(facts, call, SDK_REGISTER[method]!, serverKey);
      if (d) facts.defs.push(d);
    } else if (Object.hasOwn(SDK_POSITIONAL, method) && hasSdk && (server ? server.kind === 'mcp' : !hasFast)) {
      const known = !!server || typedAsSdkServer(facts, callee.expression);
      const d = sdkPositional(facts, call, SDK_POSITIONAL[method]!, serverKey, known);
      if (d) facts.defs.push(d);
    } else if (Object.hasOwn(FASTMCP_ADD, method) && (server ? server.kind === 'fastmcp' : hasFast)) {
      const d = fastmcpAdd(facts, call, FASTMCP_ADD[method]!, serverKey);
      if (d) facts.defs.push(d);
    } else if (method === 'setRequestHandler' && call.arguments.length >= 2) {
      const schemaRef = resolveRef(facts, call.arguments[0]!);
      const schemaName = schemaRef?.name ?? (ts.isIdentifier(call.arguments[0]!) ? call.arguments[0].text : '');
      if (schemaName === 'ListToolsRequestSchema') facts.defs.push(...lowLevelTools(facts, call, base.serverKey));
      if (schemaName === 'CallToolRequestSchema') {
        const handler = resolveFunction(facts, call.arguments[1]);
        if (handler?.body)
          facts.dispatchers.push({
            def: {
              kind: 'tool',
              name: 'tools/call',
              file: facts.file,
              range: rangeOf(call, sf),
              nameRange: rangeOf(call.arguments[0]!, sf),
              framework: 'ts-sdk',
              params: [],
            },
            style: 'lowlevel',
            call,
            serverKey: base.serverKey,
            handler,
            dispatcher: true,
          });
      }
    }
  }
  for (const d of facts.defs) {
    if (!d.handler) continue;
    facts.handlers.add(d.handler);
    const first = firstStatement(d.handler);
    if (first && d.handler.getSourceFile() === sf)
      d.def.handler = { range: rangeOf(d.handler, sf), firstStatement: rangeOf(first, sf) };
  }
}

/** The first statement a call of the handler runs (the expression of an arrow function without a block). */
function firstStatement(fn: ts.FunctionLikeDeclaration): ts.Node | undefined {
  const ts = loadTypeScript();
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  return body.statements[0];
}

function makeDef(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  name: string,
  dynamicName = false,
): Definition {
  const ts = loadTypeScript();
  const callee = call.expression;
  const nameRange = ts.isPropertyAccessExpression(callee) ? rangeOf(callee.name, facts.sf) : rangeOf(call, facts.sf);
  return {
    kind,
    name,
    file: facts.file,
    range: rangeOf(call, facts.sf),
    nameRange,
    framework: facts.framework ?? 'ts-sdk',
    params: [],
    ...(dynamicName ? { dynamicName: true } : {}),
  };
}

/** A receiver declared with the SDK's server type (`function registerTools(server: McpServer)`). */
function typedAsSdkServer(facts: Facts, recv: ts.Expression): boolean {
  const ts = loadTypeScript();
  const e = unwrap(recv);
  const decl = ts.isIdentifier(e) ? resolveDecl(facts, e) : undefined;
  const type = decl && !ts.isBindingElement(decl) ? decl.type : undefined;
  if (!type || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const ref = facts.bindings.get(type.typeName.text);
  return !!ref && ref.name === 'McpServer' && ref.module.startsWith('@modelcontextprotocol/');
}

function sdkRegister(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
): DefFact | undefined {
  const ts = loadTypeScript();
  const [nameArg, second, third, fourth] = call.arguments;
  const name = constString(facts, nameArg);
  if (!nameArg) return undefined;
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameArg.getText(facts.sf), name === undefined),
    style: 'register',
    call,
    serverKey,
    nameNode: nameArg,
  };
  if (kind === 'resource') {
    // registerResource(name, uriOrTemplate, metadata, cb)
    applyResourceTarget(facts, fact, second);
    const meta = third && unwrap(third);
    if (meta && ts.isObjectLiteralExpression(meta)) {
      fact.config = meta;
      fact.descriptionNode = getPropValue(meta, 'description');
    }
    fact.handler = resolveFunction(facts, fourth);
  } else {
    const cfg = second && objectArg(facts, second);
    if (second && (!cfg || cfg.properties.some((p) => ts.isSpreadAssignment(p)))) fact.opaqueConfig = true;
    if (cfg && ts.isObjectLiteralExpression(cfg)) {
      fact.config = cfg;
      fact.descriptionNode = getPropValue(cfg, 'description');
      fact.schema = getPropValue(cfg, kind === 'prompt' ? 'argsSchema' : 'inputSchema');
      fact.outputSchema = getPropValue(cfg, 'outputSchema');
    }
    fact.handler = resolveFunction(facts, third);
  }
  finishDef(facts, fact);
  return fact;
}

function applyResourceTarget(facts: Facts, fact: DefFact, target: ts.Expression | undefined): void {
  const ts = loadTypeScript();
  if (!target) return;
  const t = unwrap(target);
  const uri = stringValue(t);
  if (uri !== undefined) {
    fact.def.uri = uri;
    if (/\{[^{}]+\}/.test(uri)) fact.def.kind = 'resourceTemplate';
    return;
  }
  if (ts.isNewExpression(t)) {
    const cls = resolveRef(facts, t.expression)?.name ?? t.expression.getText(facts.sf);
    if (cls === 'ResourceTemplate') {
      fact.def.kind = 'resourceTemplate';
      fact.def.uri = stringValue(t.arguments?.[0] && unwrap(t.arguments[0]));
      if (fact.def.uri)
        fact.def.params = [...fact.def.uri.matchAll(/\{[?&/#+.;]?([^{}]+)\}/g)].flatMap((m) =>
          m[1]!.split(',').map((n) => ({ name: n.trim() })),
        );
    }
  }
}

function sdkPositional(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
  knownServer: boolean,
): DefFact | undefined {
  const ts = loadTypeScript();
  let args: readonly ts.Expression[] = call.arguments;
  if (args.length < 2) return undefined;
  const nameArg = args[0]!;
  const name = constString(facts, nameArg);
  // On a known SDK server, `tool(name, schema, cb, { description })`: the SDK takes the callback
  // and ignores the object literals after it.
  let afterHandler: ts.Expression[] | undefined;
  if (knownServer && kind === 'tool' && !resolveFunction(facts, args[args.length - 1]!)) {
    const i = args.findIndex((a, k) => k > 0 && !!resolveFunction(facts, a));
    if (i > 0 && args.slice(i + 1).every((a) => ts.isObjectLiteralExpression(unwrap(a)))) {
      afterHandler = args.slice(i + 1);
      args = args.slice(0, i + 1);
    }
  }
  const last = args[args.length - 1]!;
  const handler = resolveFunction(facts, last);
  // `x.tool(...)` on an unknown object must look like the SDK: string-ish name and a callback last.
  const n = unwrap(nameArg);
  // A name read from a table (`tool.method`, `def.name`) is as string-ish as a variable.
  if (name === undefined && !ts.isIdentifier(n) && !ts.isTemplateExpression(n) && !ts.isPropertyAccessExpression(n))
    return undefined;
  // On a known SDK server, a handler held by another object (`getRunsTool.handler`) or built by a
  // wrapper (`toolHandler("name", async (args) => ...)`) counts too; its body is not followed.
  const lastArg = unwrap(last);
  if (
    !handler &&
    !ts.isIdentifier(lastArg) &&
    !(knownServer && (ts.isPropertyAccessExpression(lastArg) || ts.isCallExpression(lastArg)))
  )
    return undefined;
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameArg.getText(facts.sf), name === undefined),
    style: 'positional',
    call,
    serverKey,
    nameNode: nameArg,
    handler,
    ...(afterHandler ? { afterHandler } : {}),
  };
  let middle = args.slice(1, -1).map((a) => a);
  if (kind === 'resource') {
    applyResourceTarget(facts, fact, middle[0]);
    middle = middle.slice(1);
    const meta = middle[0] && unwrap(middle[0]);
    if (meta && ts.isObjectLiteralExpression(meta)) {
      fact.config = meta;
      fact.descriptionNode = getPropValue(meta, 'description');
    }
  } else {
    if (middle[0] && literalLike(middle[0])) {
      fact.descriptionNode = middle[0];
      middle = middle.slice(1);
    } else if (middle[0] && computedDescription(middle)) {
      // tool(name, description, schema[, annotations], cb) with a computed description.
      fact.descriptionNode = middle[0];
      middle = middle.slice(1);
    }
    if (middle.length === 2) {
      fact.schema = middle[0];
      fact.annotations = middle[1];
    } else if (middle.length === 1) {
      if (isAnnotationsObject(middle[0]!)) fact.annotations = middle[0];
      else fact.schema = middle[0];
    }
  }
  finishDef(facts, fact);
  return fact;
}

/**
 * Whether the first middle argument of a positional `tool(name, ..., cb)` call is a computed
 * description: three middle arguments (description, schema, annotations); a name that says so
 * (`description`, `tool.desc`) before one or two more; or a template, a concatenation or a call
 * alone or before a schema object.
 */
function computedDescription(middle: ts.Expression[]): boolean {
  const ts = loadTypeScript();
  const first = unwrap(middle[0]);
  if (
    ts.isObjectLiteralExpression(first) ||
    (ts.isCallExpression(first) && /z\.|object/.test(first.expression.getText()))
  )
    return false;
  if (middle.length === 3) return true;
  const named = (ts.isIdentifier(first) || ts.isPropertyAccessExpression(first)) && /desc/i.test(first.getText());
  if (middle.length === 2) {
    const second = unwrap(middle[1]);
    const schemaLike =
      ts.isObjectLiteralExpression(second) ||
      (ts.isCallExpression(second) && /\bz\./.test(second.expression.getText()));
    if (!schemaLike && !named) return false;
  } else if (middle.length !== 1) return false;
  return ts.isTemplateExpression(first) || ts.isBinaryExpression(first) || ts.isCallExpression(first) || named;
}

function literalLike(e: ts.Expression): boolean {
  const ts = loadTypeScript();
  const u = unwrap(e);
  return (
    ts.isStringLiteral(u) ||
    ts.isNoSubstitutionTemplateLiteral(u) ||
    ts.isTemplateExpression(u) ||
    (ts.isBinaryExpression(u) &&
      u.operatorToken.kind === ts.SyntaxKind.PlusToken &&
      (ts.isStringLiteralLike(unwrap(u.left)) || ts.isStringLiteralLike(unwrap(u.right))))
  );
}

const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/** `{ readOnlyHint: true }` (tool annotations) as opposed to a zod raw shape. */
export function isAnnotationsObject(e: ts.Expression): boolean {
  const ts = loadTypeScript();
  const u = unwrap(e);
  if (!ts.isObjectLiteralExpression(u) || u.properties.length === 0) return false;
  return u.properties.every((p) => ANNOTATION_KEYS.has(propName(p.name) ?? ''));
}

/** An object literal argument, or the object literal a local `const` holds. */
function objectArg(facts: Facts, e: ts.Expression): ts.ObjectLiteralExpression | undefined {
  const ts = loadTypeScript();
  let u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const init = initializerOf(facts, u);
    if (init) u = unwrap(init);
  }
  return ts.isObjectLiteralExpression(u) ? u : undefined;
}

function fastmcpAdd(
  facts: Facts,
  call: ts.CallExpression,
  kind: DefinitionKind,
  serverKey: string,
): DefFact | undefined {
  const arg = call.arguments[0] && objectArg(facts, call.arguments[0]);
  if (!arg) return undefined;
  const nameNode = getPropValue(arg, 'name');
  const name = constString(facts, nameNode);
  const fact: DefFact = {
    def: makeDef(facts, call, kind, name ?? nameNode?.getText(facts.sf) ?? '<unnamed>', name === undefined),
    style: 'fastmcp',
    call,
    serverKey,
    nameNode,
    config: arg,
    descriptionNode: getPropValue(arg, 'description'),
    opaqueConfig: arg.properties.some((p) => loadTypeScript().isSpreadAssignment(p)),
  };
  const ts = loadTypeScript();
  if (kind === 'tool') {
    fact.schema = getPropValue(arg, 'parameters');
    fact.outputSchema = getPropValue(arg, 'outputSchema');
    const exec = arg.properties.find((p) => propName(p.name) === 'execute');
    if (exec && ts.isMethodDeclaration(exec)) fact.handler = exec;
    else fact.handler = resolveFunction(facts, getPropValue(arg, 'execute'));
  } else {
    const exec = arg.properties.find((p) => propName(p.name) === 'load');
    fact.handler = exec && ts.isMethodDeclaration(exec) ? exec : resolveFunction(facts, getPropValue(arg, 'load'));
    const uri = getPropValue(arg, kind === 'resourceTemplate' ? 'uriTemplate' : 'uri');
    fact.def.uri = stringValue(uri && unwrap(uri));
    // `arguments: [{ name, required }]` for templates and prompts
    const argsList = getPropValue(arg, 'arguments');
    if (argsList && ts.isArrayLiteralExpression(unwrap(argsList))) {
      for (const el of (unwrap(argsList) as ts.ArrayLiteralExpression).elements) {
        const o = unwrap(el);
        if (!ts.isObjectLiteralExpression(o)) continue;
        const n = stringValue(getPropValue(o, 'name'));
        if (!n) continue;
        const req = getPropValue(o, 'required');
        fact.def.params.push({ name: n, optional: !(req && req.kind === ts.SyntaxKind.TrueKeyword) });
      }
    }
  }
  finishDef(facts, fact);
  return fact;
}

/** `setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [ {...} ] }))`, best effort. */
function lowLevelTools(facts: Facts, call: ts.CallExpression, serverKey: string): DefFact[] {
  const ts = loadTypeScript();
  const handler = resolveFunction(facts, call.arguments[1]);
  if (!handler?.body) return [];
  const arrays: ts.ArrayLiteralExpression[] = [];
  const fromExpr = (e: ts.Expression | undefined): void => {
    if (!e) return;
    const u = unwrapAwait(e);
    if (ts.isArrayLiteralExpression(u)) arrays.push(u);
    else if (ts.isIdentifier(u)) {
      const init = initializerOf(facts, u);
      if (init && ts.isArrayLiteralExpression(unwrap(init))) arrays.push(unwrap(init) as ts.ArrayLiteralExpression);
    }
  };
  const collect = (e: ts.Expression): void => {
    const u = unwrapAwait(e);
    if (ts.isObjectLiteralExpression(u)) fromExpr(getPropValue(u, 'tools'));
  };
  if (!ts.isBlock(handler.body)) collect(handler.body);
  else
    handler.body.statements.forEach(function rec(st: ts.Node): void {
      if (ts.isReturnStatement(st) && st.expression) collect(st.expression);
      else if (!isFunctionLike(st)) ts.forEachChild(st, rec);
    });
  const out: DefFact[] = [];
  for (const arr of arrays) {
    for (const el of arr.elements) {
      // `tools: [MY_TOOL]` with `const MY_TOOL: Tool = { ... }`
      const o = objectArg(facts, el);
      if (!o) continue;
      const nameNode = getPropValue(o, 'name');
      const name = constString(facts, nameNode);
      if (!nameNode) continue;
      const def: Definition = {
        kind: 'tool',
        name: name ?? nameNode.getText(facts.sf),
        ...(name === undefined ? { dynamicName: true } : {}),
        file: facts.file,
        range: rangeOf(o, facts.sf),
        nameRange: rangeOf(nameNode, facts.sf),
        framework: 'ts-sdk',
        params: [],
      };
      const fact: DefFact = {
        def,
        style: 'lowlevel',
        call,
        serverKey,
        nameNode,
        config: o,
        descriptionNode: getPropValue(o, 'description'),
        schema: getPropValue(o, 'inputSchema'),
        outputSchema: getPropValue(o, 'outputSchema'),
      };
      finishDef(facts, fact);
      out.push(fact);
    }
  }
  return out;
}

/** Fills description and params from the collected syntax. */
function finishDef(facts: Facts, fact: DefFact): void {
  const ts = loadTypeScript();
  if (fact.descriptionNode) {
    const d = unwrap(fact.descriptionNode);
    const v = stringValue(d);
    if (v !== undefined) fact.def.description = v;
    else if (ts.isTemplateExpression(d) || ts.isIdentifier(d) || ts.isBinaryExpression(d))
      fact.def.description = d.getText(facts.sf);
  }
  if (fact.schema && fact.def.params.length === 0) fact.def.params = schemaParams(facts, fact.schema);
}
