/** Concurrency rules: blocking calls on the event loop, unguarded shared state. */
import { field, named, type PyNode } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { BLOCKING, blockingVia, importedCalls, syncRunner, threadFix } from '../blocking';
import { blockingCallMessage, blockingViaMessage, clientAdvice, toolPlace } from '../messages';
import { toolBodies, type ToolBody } from '../dispatchers';
import { ensureImport, fix, fixes, replaceNode } from '../fixes';
import { identifiersIn, syncToolsInline, syncToolsThreaded, walkBody } from './util';
import { argumentTaint } from './taint';
import { clientCall, functionClients, type ClientBinding } from '../syncClients';

// ---- MCP301 ----------------------------------------------------------------------------------

const BLOCKING_METHODS_ASYNC = new Set(['read_text', 'read_bytes', 'write_text', 'write_bytes']);

function blockingName(py: PyFile, call: PyNode, isAsync: boolean, tool?: FunctionFact): string | undefined {
  const q = py.callee(call);
  if (q && BLOCKING.test(q)) return q;
  if (isAsync && tool) {
    const fnNode = field(call, 'function');
    if (fnNode?.type === 'attribute') {
      const attr = py.text(field(fnNode, 'attribute')!);
      // A file the caller names can be any size; the server's own small files (templates, a
      // config) are read in microseconds.
      if (BLOCKING_METHODS_ASYNC.has(attr) && namesCallerFile(py, field(fnNode, 'object')!, tool)) return `.${attr}`;
    }
  }
  return undefined;
}

/** Whether a path expression carries a tool argument (`Path(path).read_text()`, `(base / name).read_bytes()`). */
function namesCallerFile(py: PyFile, receiver: PyNode, tool: FunctionFact): boolean {
  const tainted = argumentTaint(py, tool).tainted;
  return identifiersIn(py, receiver).some((id) => tainted.has(id));
}

/** MCP301: blocking calls that freeze the event loop (async tools, or sync tools run inline). */
export function mcp301(py: PyFile): void {
  const inline = syncToolsInline(py);
  const reported = new Set<PyNode>();
  // Registered tools and low-level `tools/call` dispatchers alike.
  for (const d of toolBodies(py)) {
    const fn = d.fn;
    if (!fn.isAsync && !inline) continue;
    scan(fn, fn.isAsync, undefined);
    // Sync helpers the tool calls directly run on the loop too (an async tool's, or a sync tool's
    // that the framework runs inline).
    for (const call of callsInBody(py, fn)) {
      const target = field(call, 'function');
      if (target?.type !== 'identifier') continue;
      const helper = py.moduleFunctions.get(py.text(target));
      if (!helper || helper.isAsync || helper === fn || py.definitionOf(helper)) continue;
      scan(helper, false, helper);
    }

    /** Reports the blocking calls in `body`; one per client (its first call, or the connect itself). */
    function scan(body: FunctionFact, isAsync: boolean, helper: FunctionFact | undefined): void {
      const clients = functionClients(py, body);
      const reportedLines = new Set<number>();
      for (const call of callsInBody(py, body)) {
        const name = blockingName(py, call, isAsync, helper ? undefined : fn);
        const client = name ? undefined : clientCall(py, call, clients);
        if (!name && !client) continue;
        if (client && reportedLines.has(client.binding.line)) continue;
        reportedLines.add(client ? client.binding.line : py.line(call));
        if (reported.has(call)) continue;
        reported.add(call);
        reportBlocking(py, d, fn, call, name ?? client!.display, helper, client?.binding);
      }
    }
  }
  // Calls into methods of this module's classes (calls into other modules: ModuleFacts.callsImported).
  for (const ic of importedCalls(py)) {
    if (!ic.local || reported.has(ic.call)) continue;
    reported.add(ic.call);
    const { via, fixes: f } = blockingVia(py, ic);
    py.hit('MCP301', ic.call, blockingViaMessage(via, ic.local, `line ${ic.local.line}`), { fixes: f });
  }
}

function callsInBody(py: PyFile, fn: FunctionFact): PyNode[] {
  return py.callsIn(fn);
}

function reportBlocking(
  py: PyFile,
  d: ToolBody,
  fn: FunctionFact,
  call: PyNode,
  name: string,
  helper: FunctionFact | undefined,
  client?: ClientBinding,
): void {
  const line = py.line(call);
  // `s3.list_objects_v2()`: say what makes it block (the client and where it is built).
  const on = client ? `, a call on a synchronous ${client.kind.label} (${client.ctor}() on line ${client.line}),` : '';
  const tool = toolPlace(d.name, fn.isAsync, !!d.dispatcher);
  const where = helper
    ? `in ${helper.name}(), which ${tool} calls directly`
    : `${fn.isAsync ? 'inside' : 'in'} ${tool}`;
  if (!fn.isAsync) {
    py.hit(
      'MCP301',
      call,
      blockingCallMessage({ call: name, line, on, where, sync: syncRunner(d.framework), advice: '' }),
      {},
    );
    return;
  }
  const asyncioName = py.localNameFor('asyncio') ?? 'asyncio';
  const imp = py.localNameFor('asyncio') ? undefined : ensureImport(py, 'asyncio');
  let f;
  if (!helper && name === 'time.sleep') {
    f = fix(
      `Use await ${asyncioName}.sleep(...)`,
      replaceNode(py, call, `await ${asyncioName}.sleep${py.text(py.args(call) ?? call)}`),
      [imp],
      true,
    );
  } else if (!helper) {
    f = threadFix(py, call);
  }
  const advice = client
    ? clientAdvice(client.kind.async)
    : name === 'time.sleep'
      ? 'Use await asyncio.sleep(...)'
      : /^(requests|httpx|urllib)/.test(name)
        ? 'Use an async client (httpx.AsyncClient) or await asyncio.to_thread(...)'
        : 'Run it with await asyncio.to_thread(...)';
  py.hit('MCP301', call, blockingCallMessage({ call: name, line, on, where, advice }), { fixes: fixes(f) });
}

// ---- MCP302 ----------------------------------------------------------------------------------

const MUTABLE_CTORS =
  /^(dict|list|set|collections\.(defaultdict|OrderedDict|Counter|deque)|defaultdict|OrderedDict|Counter|deque)$/;
const MUTATORS = new Set([
  'append',
  'extend',
  'insert',
  'update',
  'pop',
  'popitem',
  'setdefault',
  'clear',
  'remove',
  'add',
  'discard',
  'appendleft',
  'popleft',
  'sort',
  'reverse',
]);
const LOCK_CTORS =
  /^(threading\.(Lock|RLock|Semaphore|BoundedSemaphore|Condition)|asyncio\.(Lock|Semaphore|BoundedSemaphore|Condition)|anyio\.(Lock|Semaphore|CapacityLimiter))$/;

/** MCP302: module state mutated by concurrent tool calls without a lock. */
export function mcp302(py: PyFile): void {
  const shared = new Set<string>();
  const locks = new Map<string, string>();
  for (const [name, value] of py.moduleAssignments) {
    if (
      ['dictionary', 'list', 'set', 'dictionary_comprehension', 'list_comprehension', 'set_comprehension'].includes(
        value.type,
      )
    )
      shared.add(name);
    else if (value.type === 'call') {
      const q = py.callee(value) ?? '';
      if (MUTABLE_CTORS.test(q)) shared.add(name);
      if (LOCK_CTORS.test(q)) locks.set(name, q);
    }
  }
  const threaded = syncToolsThreaded(py);
  for (const d of py.tools) {
    const fn = d.fn;
    if (!fn.isAsync && !threaded) continue;
    const globals = new Set<string>();
    const locals = new Set<string>(fn.params.map((p) => p.name));
    const awaits: PyNode[] = [];
    walkBody(fn, (n) => {
      if (n.type === 'global_statement') for (const id of named(n)) globals.add(py.text(id));
      if (n.type === 'await') awaits.push(n);
      return true;
    });
    walkBody(fn, (n) => {
      if (
        (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'for_statement') &&
        field(n, 'left')?.type === 'identifier'
      ) {
        const nm = py.text(field(n, 'left')!);
        if (!globals.has(nm)) locals.add(nm);
      }
      return true;
    });
    const isShared = (name: string) => globals.has(name) || (shared.has(name) && !locals.has(name));
    walkBody(fn, (n) => {
      const target = mutationTarget(py, n, globals);
      if (!target || !isShared(target)) return true;
      if (guarded(py, n, fn, locks)) return true;
      if (fn.isAsync && !awaits.some((a) => a.start < n.start) && !inLoopWithAwait(n, fn, awaits)) return true;
      const why = fn.isAsync
        ? `an await earlier in async tool '${d.def.name}' lets another call run and change '${target}' in between, so updates are lost or interleave`
        : `sync tool '${d.def.name}' runs in worker threads, so concurrent calls update '${target}' at the same time`;
      py.hit(
        'MCP302',
        n,
        `Shared state '${target}' is mutated on line ${py.line(n)} without a lock: ${why}. Guard it with ${fn.isAsync ? 'a module-level asyncio.Lock() (async with lock:)' : 'a threading.Lock() (with lock:)'}, or keep the state per request/session.`,
        {},
      );
      return false;
    });
    if (fn.isAsync) {
      walkBody(fn, (n) => {
        if (n.type !== 'with_statement' || n.children[0]?.type === 'async') return true;
        const lockName = withLockNames(py, n).find((nm) => /^threading\./.test(locks.get(nm) ?? ''));
        if (!lockName) return true;
        if (!awaits.some((a) => a.start > n.start && a.end <= n.end)) return true;
        py.hit(
          'MCP302',
          n,
          `threading lock '${lockName}' is held across an await in async tool '${d.def.name}' (line ${py.line(n)}): while it waits, another call on the same event loop blocks on the lock and freezes the loop (or deadlocks). Use an asyncio.Lock with async with.`,
          {},
        );
        return true;
      });
    }
  }
}

/** The shared name a statement mutates, if it is a mutation. */
function mutationTarget(py: PyFile, n: PyNode, globals: Set<string>): string | undefined {
  if (n.type === 'assignment' || n.type === 'augmented_assignment') {
    const left = field(n, 'left');
    if (left?.type === 'identifier' && globals.has(py.text(left))) return py.text(left);
    if (left?.type === 'subscript' || left?.type === 'attribute') {
      const base = baseName(py, left);
      if (base && (left.type === 'subscript' || globals.has(base))) return base;
    }
    return undefined;
  }
  if (n.type === 'delete_statement') {
    for (const t of named(n).flatMap((c) => (c.type === 'expression_list' ? named(c) : [c]))) {
      if (t.type === 'subscript') return baseName(py, t);
    }
    return undefined;
  }
  if (n.type === 'call') {
    const fnNode = field(n, 'function');
    if (fnNode?.type !== 'attribute') return undefined;
    const obj = field(fnNode, 'object');
    if (obj?.type === 'identifier' && MUTATORS.has(py.text(field(fnNode, 'attribute')!))) return py.text(obj);
  }
  return undefined;
}

function baseName(py: PyFile, n: PyNode): string | undefined {
  let cur: PyNode | undefined = n;
  while (cur && (cur.type === 'subscript' || cur.type === 'attribute'))
    cur = field(cur, cur.type === 'subscript' ? 'value' : 'object');
  return cur?.type === 'identifier' ? py.text(cur) : undefined;
}

function withLockNames(py: PyFile, w: PyNode): string[] {
  const out: string[] = [];
  for (const clause of named(w)) {
    if (clause.type !== 'with_clause') continue;
    for (const item of named(clause)) {
      const v = field(item, 'value') ?? named(item)[0];
      if (!v) continue;
      const inner = v.type === 'as_pattern' ? named(v)[0] : v;
      if (inner) out.push(py.text(inner));
    }
  }
  return out;
}

function guarded(py: PyFile, n: PyNode, fn: FunctionFact, locks: Map<string, string>): boolean {
  for (let p = n.parent; p && p !== fn.node; p = p.parent) {
    if (p.type !== 'with_statement') continue;
    if (withLockNames(py, p).some((nm) => locks.has(nm) || /lock|mutex|sem/i.test(nm))) return true;
  }
  return false;
}

function inLoopWithAwait(n: PyNode, fn: FunctionFact, awaits: PyNode[]): boolean {
  for (let p = n.parent; p && p !== fn.node; p = p.parent) {
    if (
      (p.type === 'for_statement' || p.type === 'while_statement') &&
      awaits.some((a) => a.start >= p.start && a.end <= p.end)
    )
      return true;
  }
  return false;
}
