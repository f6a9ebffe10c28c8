/**
 * What a file's hits mean next to the other files the engine analyzed: hits whose premise depends
 * on the project model (who imports the file, what starts it), and MCP702 for a tool name
 * registered in two files of one server project.
 */
import { basename, dirname, join, relative } from 'node:path';
import {
  blockingCallMessage,
  blockingViaMessage,
  clientAdvice,
  suppliedParamMessage,
  toolPlace,
} from './python/messages';
import { clientCallWaits } from './python/syncClients';
import type { ProjectModel } from './projectModel';
import type { Definition, FileAnalysis, Language, ModuleFacts, RuleHit } from './types';

/** What the cross-file checks read of one analyzed file. */
interface AnalyzedFile {
  root: string;
  language?: Language;
  definitions: Definition[];
  servers: FileAnalysis['servers'];
}

/**
 * Re-reads a hit whose premise depends on other files, with the project model:
 * - MCP104 (server never started) is dropped when another module imports this one (a runner,
 *   an app that mounts it) or the project declares the file as an entry point (`fastmcp run`,
 *   `fastmcp.json`, `[project.scripts]`);
 * - stdout/stdin findings made on an unproven transport are dropped when every module that
 *   imports this one and starts a transport starts HTTP or SSE, and when nothing that imports it
 *   starts a transport while its only server start is an HTTP listen (`data.listensHttp`).
 * - MCP102 on a write the module serving stdio keeps off stdout: it points `console.log` at
 *   stderr, assigns the stdio setting the write is silenced under (`data.quietUnder`), or starts
 *   stdio only under the returned flag the write needs false (`data.quietWhenProp`).
 */
export function withProjectModel(
  model: ProjectModel,
  file: string,
  entry: Pick<AnalyzedFile, 'root' | 'language'> & Partial<AnalyzedFile>,
  hit: RuleHit,
): RuleHit | undefined {
  // A package.json finding about a package no source of the project imports.
  const needs = hit.data?.needsImport;
  if (typeof needs === 'string') {
    if (!model.importsPackage(entry.root, needs)) return undefined;
    // A zod mismatch matters only where the project's schemas reach the SDK (not a server that
    // converts them to JSON Schema itself and registers them on a low-level Server).
    if (hit.data!.needsSdkSchemas === true && !model.passesSdkSchemas(entry.root)) return undefined;
    const { needsImport: _, needsSdkSchemas: __, ...data } = hit.data!;
    return { ...hit, data };
  }
  if (hit.ruleId === 'MCP608') return fastmcpEntryHit(model, hit);
  if (hit.data?.importedServer) return importedServerHit(model, file, hit);
  if (hit.ruleId === 'MCP201' && hit.data?.maybeSupplied) return suppliedHit(model, file, hit);
  if (
    hit.ruleId === 'MCP110' &&
    typeof hit.data?.appModule === 'string' &&
    servesStateless(model, entry.root, hit.data.appModule)
  )
    return undefined;
  if (entry.language !== 'python' && entry.language !== 'typescript') return hit;
  if (hit.ruleId === 'MCP104') {
    const importers = model.importersOf(file);
    if (importers.length) return undefined;
    if (model.declaredEntry(file, entry.root)) return undefined;
    if (hit.data?.needsScriptLaunch) {
      const config = model.scriptLaunch(file, entry.root);
      if (!config) return undefined;
      const { needsScriptLaunch: _, ...data } = hit.data;
      return { ...hit, data: { ...data, launchedBy: config } };
    }
    return hit;
  }
  if (hit.ruleId === 'MCP401' && hit.data?.httpOnly) {
    // Every server of the file serves HTTP/SSE: slow startup matters only if an importer serves stdio.
    const stdio = model.startsReaching(file).find((s) => s.transport === 'stdio' || s.transport === 'unknown');
    if (!stdio) return undefined;
    const { httpOnly: _, ...data } = hit.data;
    return { ...hit, data };
  }
  if (hit.ruleId === 'MCP106' && hit.data?.pendingSettings) return settingsHost(model, file, entry.root, hit);
  if ((hit.ruleId === 'MCP101' || hit.ruleId === 'MCP102' || hit.ruleId === 'MCP103') && offStdioOnly(model, file, hit))
    return undefined;
  // `console.log = console.error` in the stdio entry: every console.log of the process goes to stderr.
  if (
    hit.ruleId === 'MCP102' &&
    typeof hit.data?.call === 'string' &&
    /^console\.(log|info|debug)$/.test(hit.data.call)
  ) {
    if (model.redirectsConsole(file, hit.data.call.slice('console.'.length))) return undefined;
  }
  // `if (!isStdio) console.log(...)` in a config function that returns `{ isStdioMode: isStdio }`,
  // where the stdio start runs under `if (config.isStdioMode)`.
  if (hit.ruleId === 'MCP102' && typeof hit.data?.quietWhenProp === 'string') {
    if (model.selectsStdioBy(file, hit.data.quietWhenProp)) return undefined;
    const { quietWhenProp: _, ...data } = hit.data;
    hit = { ...hit, data };
  }
  if (hit.ruleId === 'MCP102' && Array.isArray(hit.data?.quietUnder)) {
    // `if (!quiet()) console.log(...)` with `quiet()` true under MCP_TRANSPORT=stdio, which the
    // module that serves stdio sets.
    const settings = hit.data.quietUnder as { env: string; value: string }[];
    if (model.setsEnv(file, settings)) return undefined;
    const { quietUnder: _, ...data } = hit.data;
    hit = { ...hit, data };
  }
  if (hit.downgrade && (hit.ruleId === 'MCP101' || hit.ruleId === 'MCP102' || hit.ruleId === 'MCP103')) {
    // Tools registered on a server imported from another module (`from app.mcp import mcp`): the
    // project starts that server over HTTP/SSE only (`mcp.run(transport="streamable-http")` in main).
    if (typeof hit.data?.viaServer === 'string') {
      const ts = model.serverTransports(file, hit.data.viaServer);
      if (ts.length && ts.every((t) => t === 'http' || t === 'sse')) return undefined;
    }
    const starts = model.startsReaching(file);
    if (!starts.length && (servesNothing(model, file, entry) || hit.data?.listensHttp === true)) return undefined;
    if (starts.length && starts.every((s) => s.transport === 'http' || s.transport === 'sse')) return undefined;
    const stdio = starts.find((s) => s.transport === 'stdio');
    if (stdio) {
      const importer = relative(entry.root, stdio.file) || basename(stdio.file);
      const era = eraByImporter(model, stdio.file, importer, hit);
      if (era === null) return undefined;
      return {
        ...era,
        message: `${era.message} Evidence: ${importer} imports this module and starts the stdio transport.`,
      };
    }
  }
  return hit;
}

/**
 * A helper module's stdout hit judged by the SDK era its stdio importer proves by its imports
 * (`data.eraByImporter`): on mcp 1.x the write reaches the client (the hedge goes, the severity is
 * that of a proven era); on mcp 2.x a write made while serving lands on stderr (null: no finding).
 */
function eraByImporter(model: ProjectModel, file: string, importer: string, hit: RuleHit): RuleHit | null {
  const era = hit.data?.eraByImporter as { hedge: string; serving: boolean } | undefined;
  if (!era) return hit;
  const { eraByImporter: _, ...data } = hit.data!;
  const rest = { ...hit, data: Object.keys(data).length ? data : undefined };
  const major = model.factsOf(file)?.mcpMajor;
  if (major === 2 && era.serving) return null;
  if (major !== 1) return rest;
  const { severity: __, ...proven } = rest;
  return {
    ...proven,
    message: `${hit.message.replace(era.hedge, '')} (Evidence for the SDK era: ${importer} imports mcp.server.fastmcp, which exists only in mcp 1.x.)`,
  };
}

/**
 * A TypeScript/JavaScript module that is not on a stdio channel at all: it constructs no server,
 * registers no tool, resource or prompt, builds and starts no transport, imports no project
 * module that starts one, and no module that starts a transport imports it (a manual test
 * script that imports SDK names and calls the project's functions directly). An SDK import
 * alone proves nothing about the process the module runs in.
 */
function servesNothing(model: ProjectModel, file: string, entry: Partial<AnalyzedFile>): boolean {
  if (entry.language !== 'typescript' || !entry.servers || !entry.definitions) return false;
  if (entry.servers.length || entry.definitions.length) return false;
  return !model.importsStarter(file);
}

/**
 * MCP201 on an unannotated parameter of a tool decorated with a decorator imported from another
 * module: when that decorator supplies the parameter (ModuleFacts.injects), the finding is that the
 * SDK publishes it as a required argument (error); otherwise the hit stays as it was.
 */
function suppliedHit(model: ProjectModel, file: string, hit: RuleHit): RuleHit {
  const { maybeSupplied, ...data } = hit.data!;
  const m = maybeSupplied as { decorators: string[]; index: number; name: string; tool: string };
  const rest: RuleHit = { ...hit, data: Object.keys(data).length ? data : undefined };
  for (const dec of m.decorators) {
    const inj = model.importedInjection(file, dec);
    if (inj && ((m.index >= 0 && m.index < inj.leading) || inj.names.includes(m.name)))
      return { ...rest, severity: 'error', fixes: undefined, message: suppliedParamMessage(m.name, m.tool, dec) };
  }
  return rest;
}

/**
 * A runner's hit about a server it imports (MCP602 run() settings, MCP503 binds): kept only when
 * the defining module confirms the premise (the server's class, no authentication there).
 */
function importedServerHit(model: ProjectModel, file: string, hit: RuleHit): RuleHit | undefined {
  const { importedServer: want, ...data } = hit.data!;
  const w = want as { name: string; cls: string[]; unauthenticated?: boolean };
  const server = model.importedServer(file, w.name);
  if (!server || !w.cls.includes(server.cls) || (w.unauthenticated && server.auth)) return undefined;
  const { data: _, ...rest } = hit;
  return Object.keys(data).length ? { ...rest, data } : rest;
}

/** What the project model adds to a file from its own facts: calls into other modules that block (MCP301) or take a path unchecked (MCP502). */
export function modelHits(model: ProjectModel, file: string, facts: ModuleFacts | undefined): RuleHit[] {
  return [
    ...blockingCallHits(model, file, facts),
    ...clientCallHits(model, file, facts),
    ...pathCallHits(model, file, facts),
  ];
}

/** A line of another file, as `file` names it: `client.py line 11`, `../lib/geo.py line 3`. */
function placeIn(file: string, other: string, line: number): string {
  return `${relative(dirname(file), other) || basename(other)} line ${line}`;
}

/**
 * MCP301 on async tools' calls into other modules (ModuleFacts.callsImported): those whose function
 * or method reaches a blocking call in the module that defines it, with that call named.
 */
function blockingCallHits(model: ProjectModel, file: string, facts: ModuleFacts | undefined): RuleHit[] {
  const out: RuleHit[] = [];
  for (const { hit, via } of facts?.callsImported ?? []) {
    const b = model.importedBlocking(file, via.name, via.member);
    if (!b) continue;
    out.push({ ...hit, message: blockingViaMessage(via, b, placeIn(file, b.file, b.line)) });
  }
  return out;
}

/**
 * MCP301 on tools' calls on what an imported function returned (ModuleFacts.clientCalls): those
 * that wait on the kind of client that function builds in its module; one per client per tool.
 */
function clientCallHits(model: ProjectModel, file: string, facts: ModuleFacts | undefined): RuleHit[] {
  const out: RuleHit[] = [];
  const seen = new Set<string>();
  for (const { hit, via } of facts?.clientCalls ?? []) {
    const key = `${via.tool}\u0000${via.bindLine}`;
    if (seen.has(key)) continue;
    const f = model.importedClientFactory(file, via.factory);
    if (!f || !clientCallWaits(f.io, via.verbs, via.count, via.verb)) continue;
    seen.add(key);
    const tool = toolPlace(via.tool, !via.sync, !!via.dispatcher);
    out.push({
      ...hit,
      message: blockingCallMessage({
        call: via.display,
        line: via.line,
        on: `, a call on a synchronous ${f.label} (${via.factory}() on line ${via.bindLine} returns one, built at ${placeIn(file, f.file, f.line)}),`,
        where: `${via.sync ? 'in' : 'inside'} ${tool}`,
        ...(via.sync ? { sync: via.sync } : {}),
        advice: clientAdvice(f.async),
      }),
    });
  }
  return out;
}

/**
 * MCP502 on tools' calls into other modules (ModuleFacts.pathCalls): those that pass a tool argument
 * to a parameter the callee uses as a filesystem path without a containment check.
 */
function pathCallHits(model: ProjectModel, file: string, facts: ModuleFacts | undefined): RuleHit[] {
  const out: RuleHit[] = [];
  for (const { hit, via } of facts?.pathCalls ?? []) {
    const found = model.importedPathParams(file, via.name, via.member);
    if (!found) continue;
    for (const p of found.params) {
      const names = via.kw[p.name] ?? via.pos[p.index];
      if (!names?.length) continue;
      const where = placeIn(file, found.file, p.line);
      out.push({
        ...hit,
        message: `${via.display}() on line ${via.line} passes tool argument ${names.map((n) => `'${n}'`).join(', ')} of ${via.tool} as '${p.name}', which it uses as a path (${where}) without checking that it stays inside the intended folder: "../" or an absolute path reads or writes anywhere (.env, SSH keys). Resolve it and check containment (resolved.is_relative_to(base)) before use, here or in ${via.display}().`,
      });
      break;
    }
  }
  return out;
}

/**
 * MCP102 on a statement of a module that imports the stdio server module (its entry, `index.ts`
 * importing `mcp-server.ts`): the write runs in the process that serves stdio, before the server
 * starts. Worded with that evidence (the helper analysis words it for a module the server imports).
 */
export function entryWriteHits(hits: RuleHit[], starter: string): RuleHit[] {
  return hits.filter((h) => h.data?.unconditional === true && !h.data.entryFns).map((h) => entryWriteHit(h, starter));
}

function entryWriteHit(hit: RuleHit, starter: string): RuleHit {
  const call = typeof hit.data?.call === 'string' ? hit.data.call : 'console.log';
  return {
    ...hit,
    message: `\`${call}\` at startup writes to stdout, which is the JSON-RPC channel of the stdio MCP server in this process (this module imports ${starter}, which connects a stdio transport): clients fail to parse the line and may drop the server. Write to stderr (\`console.error\`, \`process.stderr.write\`) instead.`,
  };
}

/**
 * MCP608 on a fastmcp.json entrypoint, decided with the entry file's module-level bindings:
 * reported when the object is a low-level `mcp.server.Server` (fastmcp 4.0.10 `fastmcp run`:
 * "Failed to run server: 'Server' object has no attribute 'run_async'") or when the file binds no
 * such name and nothing else could (no `import *`, module `__getattr__`, `globals()`): "Server
 * object 'x' not found". Dropped when the entry file was not analyzed.
 */
function fastmcpEntryHit(model: ProjectModel, hit: RuleHit): RuleHit | undefined {
  const target = hit.data?.fastmcpEntry as { file?: unknown; object?: unknown; legacy?: unknown } | undefined;
  if (typeof target?.file !== 'string') return undefined;
  const bindings = model.factsOf(target.file)?.bindings;
  if (!bindings) return undefined;
  if (target.object === null) return defaultEntryHit(hit, target.file, bindings);
  if (typeof target.object !== 'string') return undefined;
  const kind = bindings.names[target.object];
  const where = `${basename(target.file)}:${target.object}`;
  let problem: string | undefined;
  const decorator = bindings.decorators?.[target.object];
  if (kind === 'lowlevel')
    problem = `is a low-level mcp.server.Server, not a FastMCP or MCPServer server, so \`fastmcp run\` cannot run it: with fastmcp 4 (which installs mcp 2.x) ${decorator ? `the import already fails, since mcp 2.x has no @${target.object}.${decorator}() decorator ("AttributeError: 'Server' object has no attribute '${decorator}'")` : `it imports the module and fails ("Failed to run server: 'Server' object has no attribute 'run_async'")`}, exit code 1. Point the entrypoint at a FastMCP/MCPServer object (or a function that returns one), or start this server with \`python ${basename(target.file)}\``;
  else if (kind === undefined && !bindings.open)
    problem = `names an object that ${basename(target.file)} does not define at module level: \`fastmcp run\` fails with "Server object '${target.object}' not found" (exit code 1). Name the server variable (or a function that returns the server) defined in that file`;
  if (!problem) return undefined;
  const message = target.legacy
    ? `This fastmcp.json has no "source", only a top-level "entrypoint", which is not a fastmcp.json field: fastmcp 4 rejects the file ("1 validation error for MCPServerConfig: source: Field required"). Write { "source": { "path": "${basename(target.file)}", "entrypoint": "${target.object}" } }; even then, ${where} ${problem}.`
    : `The entrypoint ${where} ${problem}.`;
  if (!message) return undefined;
  const { fastmcpEntry: _, ...data } = hit.data!;
  return { ...hit, message, data: { ...data, entry: where, kind: kind ?? 'missing' } };
}

/** Names fastmcp 4 tries, in order, when fastmcp.json names no entrypoint (an instance is required). */
const DEFAULT_ENTRY_NAMES = ['mcp', 'server', 'app'];

/**
 * MCP608 for a fastmcp.json without an entrypoint: fastmcp 4 takes the first of `mcp`, `server`,
 * `app` that is a FastMCP/MCPServer instance, and otherwise exits ("No server object found in
 * ..."). Reported only when none of the three can be one: unbound, a function, or a low-level
 * Server; anything else (a call result, an import) may be a server.
 */
function defaultEntryHit(
  hit: RuleHit,
  file: string,
  bindings: NonNullable<ModuleFacts['bindings']>,
): RuleHit | undefined {
  if (bindings.open) return undefined;
  const kinds = DEFAULT_ENTRY_NAMES.map((n) => bindings.names[n]);
  if (kinds.some((k) => k === 'server' || k === 'other')) return undefined;
  const low = DEFAULT_ENTRY_NAMES.filter((n) => bindings.names[n] === 'lowlevel');
  const fns = DEFAULT_ENTRY_NAMES.filter((n) => bindings.names[n] === 'function');
  const servers = Object.entries(bindings.names)
    .filter(([, k]) => k === 'server')
    .map(([n]) => n);
  const found = [
    ...low.map((n) => `'${n}' is a low-level mcp.server.Server`),
    ...fns.map((n) => `'${n}' is a function, which fastmcp only calls when it is named as the entrypoint`),
  ];
  const name = basename(file);
  const message = `This fastmcp.json names no entrypoint, so \`fastmcp run\` looks for a FastMCP/MCPServer instance called mcp, server or app in ${name} and finds none${found.length ? ` (${found.join('; ')})` : ''}: it exits with "No server object found in .../${name}" (exit code 1). ${servers.length ? `Name the server as the entrypoint ("entrypoint": "${servers[0]}").` : low.length ? `A low-level server is started by its own code (\`python ${name}\`), not by \`fastmcp run\`.` : 'Name the server object (or a function that returns one) as the entrypoint.'}`;
  const { fastmcpEntry: _, ...data } = hit.data!;
  return { ...hit, message, data: { ...data, entry: name, kind: low.length ? 'lowlevel' : 'missing' } };
}

/**
 * Output in a helper module reached only through functions (`data.entryFns`) that every module
 * importing them by name calls on a path that cannot serve stdio (a login or setup step that exits
 * first, HTTP-only code). A TypeScript helper's write is reported only when some importer names
 * one of those functions (the analysis of TS helpers reports exported functions only).
 */
function offStdioOnly(model: ProjectModel, file: string, hit: RuleHit): boolean {
  const via = hit.data?.entryFns;
  if (!Array.isArray(via) || !via.length) return false;
  const fns = via.filter((v): v is string => typeof v === 'string');
  if (hit.data?.helper === 'typescript')
    return (
      !calledOnStdio(model, file, fns, 0) ||
      guardNeverTaken(model, file, fns[0]!, hit.data.guard) ||
      resultLeaves(model, file, fns[0]!, hit.data.result)
    );
  let named = false;
  for (const importer of model.importersOf(file)) {
    const names = model.importedNames(importer, file);
    if (!names) return false;
    const off = new Set(model.offStdio(importer));
    for (const fn of fns) {
      if (!names.includes(fn)) continue;
      if (!off.has(fn)) return false;
      named = true;
    }
  }
  return named;
}

/**
 * A helper's write guarded by a parameter value (`case "debug":`, `default:`, `if (level ===
 * "debug")`): true when every call of the function on a stdio path, in every module that imports
 * it, passes a literal (or leaves the parameter to its literal default) that does not select the
 * write. A computed argument keeps the finding.
 */
function guardNeverTaken(model: ProjectModel, file: string, fn: string, guard: unknown): boolean {
  if (!guard || typeof guard !== 'object') return false;
  const g = guard as { param?: unknown; def?: unknown; in?: unknown; notIn?: unknown };
  if (typeof g.param !== 'number') return false;
  const inSet = Array.isArray(g.in) ? new Set(g.in) : undefined;
  const notIn = Array.isArray(g.notIn) ? new Set(g.notIn) : undefined;
  let calls = 0;
  for (const importer of model.importersOf(file)) {
    const names = model.importedNames(importer, file);
    if (!names) return false;
    if (!names.includes(fn) || model.offStdio(importer).includes(fn)) continue;
    // A helper importer lists all of its calls (a superset of those on the stdio path).
    const args = model.stdioArgs(importer, fn);
    if (!args) return false;
    for (const a of args) {
      calls++;
      const v = g.param < a.length ? a[g.param] : typeof g.def === 'string' ? g.def : null;
      if (typeof v !== 'string') return false;
      const taken = inSet ? inSet.has(v) : notIn ? !notIn.has(v) : true;
      if (taken) return false;
    }
  }
  return calls > 0;
}

/**
 * Whether the app module a uvicorn/gunicorn command serves (`src.datajson.app`, relative to the
 * project root, or under `src/`) builds only stateless HTTP servers: its workers share no sessions.
 */
function servesStateless(model: ProjectModel, root: string, module: string): boolean {
  const rel = `${module.split('.').join('/')}.py`;
  for (const file of [join(root, rel), join(root, 'src', rel)]) if (model.statelessHttp(file)) return true;
  return false;
}

/**
 * A helper's write after which its exported function returns a value of one truth (`showHelp();
 * return false;`): true when every call of the function on a stdio path, in every module that
 * imports it, leaves the serving path on that value (`if (!handleCliArgs()) return;`).
 */
function resultLeaves(model: ProjectModel, file: string, fn: string, result: unknown): boolean {
  if (result !== 'truthy' && result !== 'falsy') return false;
  let calls = 0;
  for (const importer of model.importersOf(file)) {
    const names = model.importedNames(importer, file);
    if (!names) return false;
    if (!names.includes(fn) || model.offStdio(importer).includes(fn)) continue;
    const leaves = model.stdioResults(importer, fn);
    if (!leaves?.length || leaves.some((r) => r !== result)) return false;
    calls += leaves.length;
  }
  return calls > 0;
}

/**
 * Whether a module that imports `file` calls one of `fns` where it may serve stdio: an MCP file
 * that calls it outside HTTP-only and exit-first CLI paths, or a helper that calls it from a
 * function of its own that such a module calls (followed a few levels up).
 */
function calledOnStdio(model: ProjectModel, file: string, fns: string[], depth: number): boolean {
  if (depth > 4) return true;
  for (const importer of model.importersOf(file)) {
    if (model.loadsOffStdio(importer, file)) continue;
    const names = model.importedNames(importer, file);
    if (!names) return true;
    const off = new Set(model.offStdio(importer));
    const via = model.via(importer);
    for (const fn of fns) {
      if (!names.includes(fn) || off.has(fn)) continue;
      if (!via) return true;
      const v = via[fn];
      if (v === undefined || v === null) return true;
      if (v.length && calledOnStdio(model, importer, v, depth + 1)) return true;
    }
  }
  return false;
}

/**
 * MCP702 across files: the same tool name registered in two files of one server project.
 * Files are grouped by project root and framework; a group with more than one file that
 * constructs a server holds several servers, and is not compared (names may repeat legally).
 */
export function duplicateToolHits(
  file: string,
  entry: AnalyzedFile,
  group: (readonly [string, AnalyzedFile])[],
  model?: ProjectModel,
): RuleHit[] {
  if (group.length < 2) return [];
  // With several server objects in the project, tools share a server only when their files
  // register on one defined in the same module (`from mcp_instance import mcp`, Python).
  const identity = (f: string, d: Definition) => (d.server && model ? model.serverIdentity(f, d.server) : undefined);
  const several = group.filter(([, e]) => e.servers.length > 0).length > 1;
  if (several && (!model || entry.definitions.some((d) => d.kind === 'tool' && !d.server))) return [];
  const hits: RuleHit[] = [];
  for (const def of entry.definitions) {
    if (def.kind !== 'tool' || def.dynamicName) continue;
    const mine = several ? identity(file, def) : undefined;
    const others = group.flatMap(([f, e]) =>
      f === file
        ? []
        : e.definitions.filter(
            (d) => d.kind === 'tool' && !d.dynamicName && d.name === def.name && (!several || identity(f, d) === mine),
          ),
    );
    if (!others.length) continue;
    const where = others
      .map((o) => `${relative(entry.root, o.file) || basename(o.file)}:${o.nameRange.start.line + 1}`)
      .join(', ');
    hits.push({
      ruleId: 'MCP702',
      range: def.nameRange,
      message: `Tool "${def.name}" is also registered in ${where} for the same server. Names must be unique per server: the TypeScript SDK throws "Tool ${def.name} is already registered", the Python SDKs keep one and silently drop the other. Rename one of them.`,
      related: others.map((o) => ({
        file: o.file,
        range: o.nameRange,
        message: `"${def.name}" is also registered here`,
      })),
      data: { tool: def.name, crossFile: true },
    });
  }
  return hits;
}

/**
 * MCP106 for a host read from an imported settings object (`host=settings.host`): kept when the
 * module that defines it gives the field a loopback default and the container build does not set
 * the variable that overrides it (`data.containerEnv`: names the Dockerfile/compose file sets).
 */
function settingsHost(model: ProjectModel, file: string, root: string, hit: RuleHit): RuleHit | undefined {
  const p = hit.data?.pendingSettings as { name?: unknown; field?: unknown; what?: unknown; container?: unknown };
  if (typeof p?.name !== 'string' || typeof p.field !== 'string') return undefined;
  const d = model.settingsDefault(file, p.name, p.field);
  if (!d || !/^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(d.value)) return undefined;
  const setsEnv = Array.isArray(hit.data?.containerEnv) && hit.data.containerEnv.includes(d.env);
  if (setsEnv) return undefined;
  const { pendingSettings: _, containerEnv: __, ...data } = hit.data!;
  const where = relative(root, d.file) || basename(d.file);
  return {
    ...hit,
    message: `${String(p.what)} binds ${p.name}.${p.field}, which defaults to ${d.value} (${where}) unless the environment variable ${d.env} overrides it, and the container build (${String(p.container)}) does not set it. Inside a container a loopback-bound server is unreachable through a published port (docker run -p gives "connection refused"). Set ${d.env}=0.0.0.0 in the image (ENV) and publish the port as -p 127.0.0.1:PORT:PORT.`,
    data: { ...data, host: d.value },
  };
}
