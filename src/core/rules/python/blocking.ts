/**
 * Blocking calls (MCP301) across functions and modules: which calls block the event loop, which
 * functions and methods of a module reach one (the module facts other files read), and which calls
 * of an async tool go to another module's code (`from .client import api` … `api.search()`).
 */
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';
import type { Fix } from '../../model';
import type { ModuleFacts } from '../types';
import { ensureImport, fix, fixes, replaceNode } from './fixes';
import type { FunctionFact } from './functions';
import { calleeOf, importsProjectModules, moduleCallables, moduleClasses } from './crossCalls';
import { syncToolsInline } from './rules/util';
import type { BlockingVia } from './messages';

/** Calls that block the thread until I/O or a child process finishes (mail and FTP clients connect when built). */
export const BLOCKING =
  /^(time\.sleep|requests\.(get|post|put|patch|delete|head|options|request|Session|session)|urllib\.request\.urlopen|httpx\.(get|post|put|patch|delete|head|options|request|stream|Client)|subprocess\.(run|call|check_call|check_output)|os\.system|sqlite3\.connect|psycopg2?\.connect|pymysql\.connect|mysql\.connector\.connect|zipfile\.ZipFile|imaplib\.IMAP4(_SSL)?|imapclient\.IMAPClient|smtplib\.SMTP(_SSL)?|ftplib\.FTP(_TLS)?|poplib\.POP3(_SSL)?|socket\.create_connection)$/;

/** Constructors of synchronous clients whose calls block: HTTP sessions and database connections. */
const CLIENTS =
  /^(requests\.(Session|session)|httpx\.Client|sqlite3\.connect|psycopg2?\.connect|pymysql\.connect|mysql\.connector\.connect)$/;
/** Constructors that only build a client: the calls on it block, building it does not. */
const CONSTRUCTORS = /^(requests\.(Session|session)|httpx\.Client)$/;
const CLIENT_CALLS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'request',
  'send',
  'execute',
  'executemany',
  'executescript',
  'commit',
]);

/** Where a function or method reaches a blocking call: the call as written and its line (1-based). */
export interface BlockingFact {
  call: string;
  line: number;
}

/** A call of an async tool into another module: `name` as that module exports it, `member` after it. */
export interface ImportedCall {
  call: PyNode;
  tool: string;
  /** The callee as the user reads it (`api.search`). */
  display: string;
  name: string;
  member?: string;
  /** A sync tool that the framework runs on the event loop: the runner, for the message (`mcp.server.fastmcp 1.x`). */
  sync?: string;
  /** Resolved in this file: a method of a class this module defines (`client = Client()` here). */
  local?: BlockingFact;
}

const MAX_FACTS = 300;
const factsCache = new WeakMap<PyFile, Map<string, BlockingFact>>();
const callsCache = new WeakMap<PyFile, ImportedCall[]>();

/**
 * The module's functions (`fetch`), class methods (`Client.search`) and methods of its module-level
 * instances (`client.search`) that reach a blocking call, directly or through other functions and
 * methods of the module (`self._request()`, a base class of the module). Computed once per file.
 */
export function blockingFacts(py: PyFile): Map<string, BlockingFact> {
  let out = factsCache.get(py);
  if (!out) factsCache.set(py, (out = MAY_BLOCK.test(py.src.text) ? computeFacts(py) : new Map()));
  return out;
}

/** Text a module needs for any blocking call it could reach (a cheap filter before the call graph). */
const MAY_BLOCK =
  /\b(?:sleep|requests|httpx|urlopen|subprocess|system|connect|ZipFile|IMAP4(?:_SSL)?|IMAPClient|SMTP(?:_SSL)?|FTP(?:_TLS)?|POP3(?:_SSL)?|create_connection|Session|Client)\b/;

function computeFacts(py: PyFile): Map<string, BlockingFact> {
  const { methods, bases, methodOf } = moduleClasses(py);
  const clientAttrs = new Map<string, Set<string>>();
  for (const [name, own] of methods) {
    const attrs = new Set<string>();
    for (const fn of own.values())
      for (const call of py.callsIn(fn)) {
        // `self.session = requests.Session()`: the attribute holds a synchronous client.
        const q = py.callee(call);
        const asg = call.parent;
        const left = asg?.type === 'assignment' ? field(asg, 'left') : undefined;
        if (q && CLIENTS.test(q) && left?.type === 'attribute' && py.text(field(left, 'object')!) === 'self')
          attrs.add(py.text(field(left, 'attribute')!));
      }
    clientAttrs.set(name, attrs);
  }
  const moduleClients = new Set<string>();
  for (const [name, right] of py.moduleAssignments) {
    const q = right.type === 'call' ? py.callee(right) : undefined;
    if (q && CLIENTS.test(q)) moduleClients.add(name);
  }
  const isClientAttr = (cls: string | undefined, attr: string, depth = 0): boolean => {
    if (!cls || depth > 3) return false;
    return !!clientAttrs.get(cls)?.has(attr) || (bases.get(cls) ?? []).some((b) => isClientAttr(b, attr, depth + 1));
  };

  const memo = new Map<FunctionFact, BlockingFact | null>();
  const reach = (fn: FunctionFact, cls: string | undefined): BlockingFact | undefined => {
    const known = memo.get(fn);
    if (known !== undefined) return known ?? undefined;
    memo.set(fn, null); // a cycle reaches nothing new
    let found: BlockingFact | undefined;
    const locals = localClients(fn);
    for (const call of py.callsIn(fn)) {
      found = direct(call, cls, locals);
      if (found) break;
    }
    if (!found)
      for (const call of py.callsIn(fn)) {
        const next = calleeFunction(call, cls);
        found = next && reach(next.fn, next.cls);
        if (found) break;
      }
    memo.set(fn, found ?? null);
    return found;
  };
  /** `c = httpx.Client()` / `with requests.Session() as s:` in the function itself. */
  const localClients = (fn: FunctionFact): Set<string> => {
    const out = new Set<string>();
    for (const call of py.callsIn(fn)) {
      const q = py.callee(call);
      if (!q || !CLIENTS.test(q)) continue;
      const p = call.parent;
      const name =
        p?.type === 'assignment' && field(p, 'right') === call
          ? field(p, 'left')
          : p?.type === 'as_pattern'
            ? (named(field(p, 'alias'))[0] ?? field(p, 'alias'))
            : undefined;
      if (name?.type === 'identifier') out.add(py.text(name));
    }
    return out;
  };
  const direct = (call: PyNode, cls: string | undefined, locals: Set<string>): BlockingFact | undefined => {
    const q = py.callee(call);
    // Building a session or client is no I/O (a factory that returns one does not block).
    if (q && BLOCKING.test(q) && !CONSTRUCTORS.test(q)) return { call: q, line: py.line(call) };
    const target = field(call, 'function');
    if (target?.type !== 'attribute') return undefined;
    const verb = py.text(field(target, 'attribute')!);
    if (!CLIENT_CALLS.has(verb)) return undefined;
    const obj = field(target, 'object');
    const client =
      (obj?.type === 'identifier' && (moduleClients.has(py.text(obj)) || locals.has(py.text(obj)))) ||
      (obj?.type === 'attribute' &&
        py.text(field(obj, 'object')!) === 'self' &&
        isClientAttr(cls, py.text(field(obj, 'attribute')!)));
    return client ? { call: py.text(target), line: py.line(call) } : undefined;
  };
  const calleeFunction = (call: PyNode, cls: string | undefined): { fn: FunctionFact; cls?: string } | undefined => {
    const target = field(call, 'function');
    if (target?.type === 'identifier') {
      const fn = py.moduleFunctions.get(py.text(target));
      return fn ? { fn } : undefined;
    }
    if (target?.type === 'attribute' && cls) {
      const obj = py.text(field(target, 'object')!);
      if (obj === 'self' || obj === 'cls' || obj === cls) {
        const m = methodOf(cls, py.text(field(target, 'attribute')!));
        return m;
      }
    }
    return undefined;
  };

  const out = new Map<string, BlockingFact>();
  for (const [key, { fn, cls }] of moduleCallables(py)) {
    if (out.size >= MAX_FACTS) break;
    const found = reach(fn, cls);
    if (found) out.set(key, found);
  }
  return out;
}

/**
 * Calls that async tools make directly into other modules: imported functions (`fetch(url)`),
 * members of imported names (`api.search()`, `helpers.fetch()`), and methods of instances built
 * from imported classes (`Client().search()`, `client = Client()` … `client.search()`).
 * Computed once per file.
 */
export function importedCalls(py: PyFile): ImportedCall[] {
  let out = callsCache.get(py);
  if (!out) callsCache.set(py, (out = computeImportedCalls(py)));
  return out;
}

function computeImportedCalls(py: PyFile): ImportedCall[] {
  if (!py.classes.size && !importsProjectModules(py)) return [];
  const own = blockingFacts(py);
  const out: ImportedCall[] = [];
  // Sync tools block the loop too where the framework runs them inline (mcp 1.x, fastmcp 2).
  const inline = syncToolsInline(py);
  for (const d of py.tools) {
    if (!d.fn.isAsync && !inline) continue;
    for (const call of py.callsIn(d.fn)) {
      const callee = calleeOf(py, call, d.fn);
      if (!callee) continue;
      const display = py.text(field(call, 'function')!);
      const sync = d.fn.isAsync ? {} : { sync: syncRunner(d.server.framework) };
      if ('own' in callee) {
        const local = own.get(callee.own);
        if (local) out.push({ call, tool: d.def.name, display, name: callee.own, local, ...sync });
      } else out.push({ call, tool: d.def.name, display, ...callee.imported, ...sync });
    }
  }
  return out;
}

/** Which runner runs sync tools on the event loop, for MCP301's messages. */
export function syncRunner(framework: string): string {
  return framework === 'fastmcp' ? 'this fastmcp version' : 'mcp.server.fastmcp 1.x';
}

/**
 * What MCP301's message says about a tool's call into a function that blocks, and the quick fix:
 * none for an awaited async function or in a sync tool (the message says to make it async).
 */
export function blockingVia(py: PyFile, ic: ImportedCall): { via: BlockingVia; fixes: Fix[] | undefined } {
  const awaited = ic.call.parent?.type === 'await';
  return {
    via: {
      tool: ic.tool,
      display: ic.display,
      line: py.line(ic.call),
      awaited,
      ...(ic.sync ? { sync: ic.sync } : {}),
    },
    fixes: fixes(awaited || ic.sync ? undefined : threadFix(py, ic.call)),
  };
}

/** The calls into other modules for the module facts (ModuleFacts.callsImported). */
export function importedCallFacts(py: PyFile): NonNullable<ModuleFacts['callsImported']> {
  return importedCalls(py)
    .filter((ic) => !ic.local)
    .map((ic) => {
      const { via, fixes: f } = blockingVia(py, ic);
      return {
        hit: { ruleId: 'MCP301', range: py.range(ic.call), message: '', ...(f ? { fixes: f } : {}) },
        via: { ...via, name: ic.name, ...(ic.member ? { member: ic.member } : {}) },
      };
    });
}

/** `await asyncio.to_thread(f, args...)` in place of a direct call `f(args...)`. */
export function threadFix(py: PyFile, call: PyNode): Fix | undefined {
  const args = py.args(call);
  if (!args || call.parent?.type === 'await') return undefined;
  const asyncioName = py.localNameFor('asyncio') ?? 'asyncio';
  const imp = py.localNameFor('asyncio') ? undefined : ensureImport(py, 'asyncio');
  const fnText = py.text(field(call, 'function')!);
  const inner = py.text(args).slice(1, -1).trim();
  return fix(
    `Run it in a thread: await ${asyncioName}.to_thread(${fnText}, ...)`,
    replaceNode(py, call, `await ${asyncioName}.to_thread(${fnText}${inner ? `, ${inner}` : ''})`),
    [imp],
    true,
  );
}
