/**
 * Blocking calls (MCP301) across functions and modules: which calls block the event loop, which
 * functions and methods of a module reach one (the module facts other files read), and which calls
 * of an async tool go to another module's code (`from .client import api` … `api.search()`).
 */
import { field, type PyNode } from './ast';
import type { PyFile } from './context';
import type { Fix } from '../../model';
import type { ModuleFacts } from '../types';
import { ensureImport, fix, fixes, replaceNode } from './fixes';
import type { FunctionFact } from './functions';
import { calleeOf, importsProjectModules, moduleCallables, moduleClasses } from './crossCalls';
import { syncToolsInline } from './rules/util';
import { toolBodies } from './dispatchers';
import type { BlockingVia } from './messages';
import {
  attributeClients,
  clientCall,
  functionClients,
  importedClientUses,
  importsClientSdk,
  type ClientNames,
} from './syncClients';

/**
 * Calls that block the thread until I/O or a child process finishes (mail and FTP clients connect
 * when built). Calls on synchronous clients (sessions, connections, SDK clients): `syncClients.ts`.
 */
export const BLOCKING =
  /^(time\.sleep|requests\.(get|post|put|patch|delete|head|options|request)|urllib\.request\.urlopen|httpx\.(get|post|put|patch|delete|head|options|request|stream)|subprocess\.(run|call|check_call|check_output)|os\.system|sqlite3\.connect|psycopg2?\.connect|pymysql\.connect|mysql\.connector\.connect|zipfile\.ZipFile|imaplib\.IMAP4(_SSL)?|imapclient\.IMAPClient|smtplib\.SMTP(_SSL)?|ftplib\.FTP(_TLS)?|poplib\.POP3(_SSL)?|socket\.create_connection)$/;

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
  /** The caller is a low-level `tools/call` dispatcher. */
  dispatcher?: boolean;
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
  if (!out)
    factsCache.set(py, (out = MAY_BLOCK.test(py.src.text) || importsClientSdk(py) ? computeFacts(py) : new Map()));
  return out;
}

/** Text a module needs for any blocking call it could reach (a cheap filter before the call graph). */
const MAY_BLOCK =
  /\b(?:sleep|requests|httpx|urlopen|subprocess|system|connect|ZipFile|IMAP4(?:_SSL)?|IMAPClient|SMTP(?:_SSL)?|FTP(?:_TLS)?|POP3(?:_SSL)?|create_connection)\b/;

function computeFacts(py: PyFile): Map<string, BlockingFact> {
  const { methods, bases, methodOf } = moduleClasses(py);
  // `self.session = requests.Session()`: a class's attributes that hold synchronous clients.
  const own = new Map<string, ClientNames>();
  for (const [name, m] of methods) own.set(name, attributeClients(py, m.values()));
  const attrs = (cls: string | undefined, depth = 0): ClientNames =>
    !cls || depth > 3
      ? new Map()
      : new Map([...(bases.get(cls) ?? []).flatMap((b) => [...attrs(b, depth + 1)]), ...(own.get(cls) ?? [])]);
  // A class's client attributes with those of its bases, built once per class.
  const merged = new Map<string, ClientNames>();
  const classClients = (cls: string): ClientNames => {
    let out = merged.get(cls);
    if (!out) merged.set(cls, (out = attrs(cls)));
    return out;
  };

  const memo = new Map<FunctionFact, BlockingFact | null>();
  const reach = (fn: FunctionFact, cls: string | undefined): BlockingFact | undefined => {
    const known = memo.get(fn);
    if (known !== undefined) return known ?? undefined;
    memo.set(fn, null); // a cycle reaches nothing new
    let found: BlockingFact | undefined;
    const clients = cls ? new Map([...classClients(cls), ...functionClients(py, fn)]) : functionClients(py, fn);
    for (const call of py.callsIn(fn)) {
      found = direct(call, clients);
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
  const direct = (call: PyNode, clients: ClientNames): BlockingFact | undefined => {
    const q = py.callee(call);
    if (q && BLOCKING.test(q)) return { call: q, line: py.line(call) };
    const viaClient = clientCall(py, call, clients);
    return viaClient && { call: viaClient.display, line: py.line(call) };
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
  for (const d of toolBodies(py)) {
    if (!d.fn.isAsync && !inline) continue;
    for (const call of py.callsIn(d.fn)) {
      const callee = calleeOf(py, call, d.fn);
      if (!callee) continue;
      const display = py.text(field(call, 'function')!);
      const sync = {
        ...(d.fn.isAsync ? {} : { sync: syncRunner(d.framework) }),
        ...(d.dispatcher ? { dispatcher: true } : {}),
      };
      if ('own' in callee) {
        const local = own.get(callee.own);
        if (local) out.push({ call, tool: d.name, display, name: callee.own, local, ...sync });
      } else out.push({ call, tool: d.name, display, ...callee.imported, ...sync });
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
      ...(ic.dispatcher ? { dispatcher: true } : {}),
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

/** The calls tools make on clients returned by imported functions, for the module facts (ModuleFacts.clientCalls). */
export function importedClientCallFacts(py: PyFile): NonNullable<ModuleFacts['clientCalls']> {
  if (!importsProjectModules(py)) return [];
  const inline = syncToolsInline(py);
  const out: NonNullable<ModuleFacts['clientCalls']> = [];
  for (const d of toolBodies(py)) {
    if (!d.fn.isAsync && !inline) continue;
    for (const use of importedClientUses(py, d.fn)) {
      const f = d.fn.isAsync ? threadFix(py, use.call) : undefined;
      out.push({
        hit: { ruleId: 'MCP301', range: py.range(use.call), message: '', ...(f ? { fixes: [f] } : {}) },
        via: {
          tool: d.name,
          ...(d.dispatcher ? { dispatcher: true } : {}),
          ...(d.fn.isAsync ? {} : { sync: syncRunner(d.framework) }),
          display: use.display,
          line: py.line(use.call),
          factory: use.factory,
          bindLine: use.bindLine,
          verb: use.verb,
          verbs: use.verbs,
          count: use.count,
        },
      });
    }
  }
  return out;
}
