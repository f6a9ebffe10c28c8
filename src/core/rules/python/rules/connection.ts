/** Connection rules: stdout pollution, shared stdin, missing transport, event loops, HTTP plumbing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { field, named, type PyNode } from '../ast';
import type { RuleHit } from '../../types';
import type { PyFile } from '../context';
import type { ServerFact, StartCall } from '../servers';
import { addKeyword, edit, ensureImport, fix, fixes, replaceNode } from '../fixes';
import {
  branchTransport,
  identifiersIn,
  isLoopback,
  isStdout,
  maybeStdio,
  numberValue,
  stdioIsolation,
  stdioState,
} from './util';

// ---- MCP101 ----------------------------------------------------------------------------------

const ECHO = new Set(['click.echo', 'click.secho', 'typer.echo', 'typer.secho']);
const STDOUT_WRITES = /^sys\.(stdout|__stdout__)(\.buffer)?\.(write|writelines)$/;

/** MCP101: writes to stdout on a (possibly) stdio server. */
export function mcp101(py: PyFile): void {
  const state = stdioState(py);
  if (!state.applies) return;
  const iso = stdioIsolation(py);
  const extra = (node: PyNode) =>
    py.atModuleLevel(node) ? ' It runs at import time, before or during the handshake.' : '';
  /**
   * Severity and wording for one write, by SDK era: on mcp 2.x (fastmcp 4) stdout is diverted to
   * stderr while the server serves, so only output before the transport starts can reach the
   * client; on mcp 1.x every write does; when the version is not proven, handler output is one
   * level lower and says so. Undefined: no finding (handler output on mcp 2.x).
   */
  const level = (node: PyNode, global = false): { extra: Partial<RuleHit>; note: string } | undefined => {
    const serving = !global && py.runsOnlyWhileServing(node);
    // A helper module's evidence (the stdio module that imports it) is added by the engine.
    const stdioNote = py.helper ? '' : maybeStdio(state.downgrade);
    if (iso.kind === 'isolated') {
      if (serving) return undefined;
      return {
        extra: { severity: state.downgrade ? 'info' : 'warning', downgrade: state.downgrade },
        note: ` This project runs on mcp 2.x (${iso.why}), which points fd 1 at stderr only once the stdio transport has started: ${global ? 'records logged' : 'output written'} before that (at import time, in startup code) still reaches the client when stdout is flushed (flush=True, PYTHONUNBUFFERED=1, python -u), and clients log "Failed to parse JSONRPC message" or drop the line.${stdioNote}`,
      };
    }
    if (iso.kind === 'unknown' && (serving || global))
      return {
        extra: { severity: state.downgrade ? 'info' : 'warning', downgrade: state.downgrade },
        note: ` This breaks on mcp 1.x / fastmcp 3 and earlier; mcp 2.x (fastmcp 4) diverts stdout to stderr while it serves, and ${iso.why}.${stdioNote}`,
      };
    return {
      extra: { downgrade: state.downgrade },
      note: `${iso.kind === 'shared' ? ` (Evidence for the SDK era: ${iso.why}.)` : ''}${stdioNote}`,
    };
  };
  for (const call of py.calls) {
    const q = py.callee(call);
    if (!q) continue;
    const kw = py.kwargs(call);
    const line = py.line(call);
    // Global output configuration: anywhere in the file.
    if (q === 'logging.basicConfig' && isStdout(py, kw.get('stream'))) {
      const s = kw.get('stream')!;
      const lv = level(s, true);
      if (lv)
        py.hit(
          'MCP101',
          s,
          `logging.basicConfig(stream=sys.stdout) on line ${line} sends every log record to stdout, which carries JSON-RPC on a stdio server; clients fail to parse the log lines. Use stream=sys.stderr.${lv.note}`,
          {
            ...lv.extra,
            fixes: fixes(fix('Log to sys.stderr', replaceNode(py, s, stderrName(py)), [], true)),
          },
        );
      continue;
    }
    if (q === 'logging.StreamHandler') {
      const s = kw.get('stream') ?? py.positional(call)[0];
      if (isStdout(py, s)) {
        const lv = level(s!, true);
        if (lv)
          py.hit(
            'MCP101',
            s!,
            `logging.StreamHandler(sys.stdout) on line ${line} writes log records to stdout, the JSON-RPC channel of a stdio server. Use StreamHandler() (stderr by default) or sys.stderr.${lv.note}`,
            {
              ...lv.extra,
              fixes: fixes(fix('Log to sys.stderr', replaceNode(py, s!, stderrName(py)), [], true)),
            },
          );
      }
      continue;
    }
    if (/^loguru\.logger\.add$/.test(q) && isStdout(py, py.positional(call)[0])) {
      const s = py.positional(call)[0];
      const lv = level(s, true);
      if (lv)
        py.hit(
          'MCP101',
          s,
          `logger.add(sys.stdout) on line ${line} makes loguru write to stdout, the JSON-RPC channel of a stdio server. Use logger.add(sys.stderr).${lv.note}`,
          {
            ...lv.extra,
            fixes: fixes(fix('Log to sys.stderr', replaceNode(py, s, stderrName(py)), [], true)),
          },
        );
      continue;
    }
    if (/^rich(\.console)?\.Console$/.test(q)) {
      if (!py.isTrue(kw.get('stderr')) && !kw.has('file') && !py.hasSplat(call)) {
        const lv = level(call, true);
        if (lv)
          py.hit(
            'MCP101',
            call,
            `rich Console() on line ${line} prints to stdout by default, the JSON-RPC channel of a stdio server. Create it with Console(stderr=True).${lv.note}`,
            {
              ...lv.extra,
              fixes: fixes(fix('Use Console(stderr=True)', addKeyword(py, call, 'stderr=True'), [], true)),
            },
          );
      }
      continue;
    }
    if (/^structlog(\.stdlib)?\.PrintLoggerFactory$/.test(q) || q === 'structlog.PrintLoggerFactory') {
      if (!kw.has('file') && !py.positional(call).length) {
        const lv = level(call, true);
        if (lv)
          py.hit(
            'MCP101',
            call,
            `structlog PrintLoggerFactory() on line ${line} prints to stdout by default, the JSON-RPC channel of a stdio server. Pass file=sys.stderr.${lv.note}`,
            {
              ...lv.extra,
              fixes: fixes(
                fix(
                  'Print logs to sys.stderr',
                  addKeyword(py, call, `file=${stderrName(py)}`),
                  [ensureImport(py, 'sys')],
                  true,
                ),
              ),
            },
          );
      }
      continue;
    }
    // Output calls: only when they run at import time or in code the server reaches, and not
    // on a code path that only serves HTTP/SSE.
    if (!py.isReachable(call) || branchTransport(py, call) === 'other') continue;
    if (q === 'print' || q === 'rich.print' || q === 'builtins.print') {
      if (py.hasSplat(call)) continue;
      const file = kw.get('file');
      if (file && !isStdout(py, file)) continue;
      const lv = level(call, false);
      if (lv)
        py.hit(
          'MCP101',
          call,
          `print() on line ${line} writes to stdout, which carries JSON-RPC on a stdio server: the client cannot parse the stray line and may drop the connection.${extra(call)} Write to stderr (file=sys.stderr) or use logging.${lv.note}`,
          {
            ...lv.extra,
            fixes: printFixes(py, call, file),
          },
        );
    } else if (STDOUT_WRITES.test(q)) {
      const fnNode = field(call, 'function')!;
      const obj = stdoutObject(py, fnNode);
      const lv = level(call, false);
      if (lv)
        py.hit(
          'MCP101',
          call,
          `${py.text(fnNode)}() on line ${line} writes to stdout, the JSON-RPC channel of a stdio server; clients fail on the stray bytes.${extra(call)} Write to sys.stderr instead.${lv.note}`,
          {
            ...lv.extra,
            fixes: obj ? fixes(fix('Write to sys.stderr', replaceNode(py, obj, stderrName(py)), [], true)) : undefined,
          },
        );
    } else if (q === 'os.write') {
      const fd = py.positional(call)[0];
      if (fd && py.text(fd) === '1') {
        const lv = level(call, false);
        if (lv)
          py.hit(
            'MCP101',
            call,
            `os.write(1, ...) on line ${line} writes to file descriptor 1 (stdout), the JSON-RPC channel of a stdio server. Write to fd 2 (stderr).${lv.note}`,
            {
              ...lv.extra,
              fixes: fixes(fix('Write to fd 2 (stderr)', replaceNode(py, fd, '2'), [], true)),
            },
          );
      }
    } else if (q === 'pprint.pprint' || q === 'pprint.pp') {
      const stream = kw.get('stream');
      if ((stream && !isStdout(py, stream)) || py.hasSplat(call)) continue;
      const lv = level(call, false);
      if (lv)
        py.hit(
          'MCP101',
          call,
          `pprint() on line ${line} writes to stdout by default, the JSON-RPC channel of a stdio server. Pass stream=sys.stderr.${lv.note}`,
          {
            ...lv.extra,
            fixes: stream
              ? fixes(fix('Print to sys.stderr', replaceNode(py, stream, stderrName(py)), [], true))
              : fixes(
                  fix(
                    'Print to sys.stderr',
                    addKeyword(py, call, `stream=${stderrName(py)}`),
                    [ensureImport(py, 'sys')],
                    true,
                  ),
                ),
          },
        );
    } else if (/^traceback\.print_(exc|exception|stack|tb)$/.test(q) && isStdout(py, kw.get('file'))) {
      const f = kw.get('file')!;
      const lv = level(f, false);
      if (lv)
        py.hit(
          'MCP101',
          f,
          `${q}(file=sys.stdout) on line ${line} prints the traceback to stdout, the JSON-RPC channel of a stdio server. Leave file unset (stderr) or use sys.stderr.${lv.note}`,
          {
            ...lv.extra,
            fixes: fixes(fix('Print to sys.stderr', replaceNode(py, f, stderrName(py)), [], true)),
          },
        );
    } else if (ECHO.has(q)) {
      if (py.isTrue(kw.get('err')) || py.hasSplat(call)) continue;
      const lv = level(call, false);
      if (lv)
        py.hit(
          'MCP101',
          call,
          `${q}() on line ${line} writes to stdout unless err=True, and stdout is the JSON-RPC channel of a stdio server. Pass err=True.${lv.note}`,
          {
            ...lv.extra,
            fixes: fixes(fix('Echo to stderr (err=True)', addKeyword(py, call, 'err=True'), [], true)),
          },
        );
    }
  }
}

function stderrName(py: PyFile): string {
  const local = py.localNameFor('sys');
  return `${local ?? 'sys'}.stderr`;
}

/** The `sys.stdout` part of `sys.stdout.write` / `sys.stdout.buffer.write`. */
function stdoutObject(py: PyFile, fnNode: PyNode): PyNode | undefined {
  let n: PyNode | undefined = field(fnNode, 'object');
  while (n && n.type === 'attribute') {
    if (isStdout(py, n)) return n;
    n = field(n, 'object');
  }
  return undefined;
}

function printFixes(py: PyFile, call: PyNode, file: PyNode | undefined) {
  const sys = py.localNameFor('sys');
  const stderr = `${sys ?? 'sys'}.stderr`;
  const toStderr = file
    ? fix('Print to sys.stderr', replaceNode(py, file, stderr), [], true)
    : fix(
        'Print to sys.stderr (file=sys.stderr)',
        addKeyword(py, call, `file=${stderr}`),
        [sys ? undefined : ensureImport(py, 'sys')],
        true,
      );
  // logging.info(x) keeps the meaning only for a single positional argument.
  const args = named(py.args(call));
  let toLogging;
  const fnNode = field(call, 'function');
  if (
    args.length === 1 &&
    args[0].type !== 'keyword_argument' &&
    args[0].type !== 'list_splat' &&
    fnNode?.type === 'identifier'
  ) {
    const logging = py.localNameFor('logging');
    toLogging = fix(
      `Log with ${logging ?? 'logging'}.info() (stderr)`,
      replaceNode(py, fnNode, `${logging ?? 'logging'}.info`),
      [logging ? undefined : ensureImport(py, 'logging')],
    );
  }
  return fixes(toStderr, toLogging);
}

// ---- MCP103 ----------------------------------------------------------------------------------

const SUBPROCESS = /^subprocess\.(run|call|check_call|check_output|Popen)$/;
const ASYNC_SUBPROCESS = /^asyncio(\.subprocess)?\.create_subprocess_(exec|shell)$/;
const STDIN_READS =
  /^(input|builtins\.input|getpass\.getpass|sys\.stdin\.(read|readline|readlines)|sys\.stdin\.buffer\.(read|readline))$/;

/** MCP103: child processes and stdin reads that share the stdio pipe. */
export function mcp103(py: PyFile): void {
  const state = stdioState(py);
  if (!state.applies) return;
  const down = state.downgrade;
  // mcp 2.x (fastmcp 4) points fd 0 at the null device and fd 1 at stderr while it serves: a
  // handler's children inherit those, not the protocol pipes (checked on mcp 2.3).
  const iso = stdioIsolation(py);
  for (const call of py.calls) {
    const q = py.callee(call);
    if (!q) continue;
    const line = py.line(call);
    const serving = py.runsOnlyWhileServing(call);
    if (STDIN_READS.test(q)) {
      if (iso.kind === 'isolated' && serving) {
        py.hit(
          'MCP103',
          call,
          `${q}() on line ${line} reads stdin from a tool. This project runs on mcp 2.x (${iso.why}), which points fd 0 at the null device while it serves, so the read gets end-of-file at once (EOFError) and the call fails. Take the value as a tool argument instead.${maybeStdio(down)}`,
          { downgrade: down },
        );
        continue;
      }
      py.hit(
        'MCP103',
        call,
        `${q}() on line ${line} reads stdin, which is the client's request pipe on a stdio server: it blocks forever or swallows JSON-RPC messages. Take the value as a tool argument (or use ctx.elicit) instead.${maybeStdio(down)}`,
        { downgrade: down },
      );
      continue;
    }
    if (!py.isReachable(call)) continue;
    if (serving && iso.kind === 'isolated') continue;
    const kw = py.kwargs(call);
    if (SUBPROCESS.test(q) || ASYNC_SUBPROCESS.test(q)) {
      if (kw.has('stdin') || py.hasSplat(call)) continue;
      const isAsync = ASYNC_SUBPROCESS.test(q);
      const method = q.split('.').pop()!;
      const capturesStdout = kw.has('stdout') || py.isTrue(kw.get('capture_output')) || method === 'check_output';
      const why = capturesStdout
        ? "the child inherits stdin, the client's request pipe, and can block on it (a classic hang on Windows) or consume protocol bytes"
        : "the child inherits stdin (the client's request pipe) and stdout (the response pipe): it can block on input and its output corrupts the JSON-RPC stream";
      const devnull = isAsync
        ? `${py.localNameFor('asyncio') ?? 'asyncio'}.subprocess.DEVNULL`
        : `${py.localNameFor('subprocess') ?? 'subprocess'}.DEVNULL`;
      const kwText =
        !isAsync && method === 'run' && !capturesStdout && !kw.has('stderr')
          ? `stdin=${devnull}, capture_output=True`
          : `stdin=${devnull}`;
      const imp = isAsync
        ? py.localNameFor('asyncio')
          ? undefined
          : ensureImport(py, 'asyncio')
        : py.localNameFor('subprocess')
          ? undefined
          : ensureImport(py, 'subprocess');
      py.hit(
        'MCP103',
        call,
        `${q}() on line ${line} starts a child process without stdin=: ${why}. Pass stdin=subprocess.DEVNULL${capturesStdout ? '' : ' and capture its output'}.${maybeStdio(down)}`,
        {
          downgrade: down,
          fixes: fixes(fix(`Add ${kwText}`, addKeyword(py, call, kwText), [imp], true)),
        },
      );
    } else if (q === 'os.system' || q === 'os.popen') {
      py.hit(
        'MCP103',
        call,
        `${q}() on line ${line} runs a shell that inherits the server's stdin and stdout, which carry JSON-RPC on a stdio server; the command can block on input or corrupt the stream. Use subprocess.run([...], stdin=subprocess.DEVNULL, capture_output=True).${maybeStdio(down)}`,
        { downgrade: down },
      );
    } else if (/^multiprocessing(\.pool)?\.(Pool|Process)$/.test(q) && !py.atModuleLevel(call)) {
      py.hit(
        'MCP103',
        call,
        `${q}() on line ${line} starts worker processes from a stdio server; the workers inherit the protocol pipes and are a known cause of hangs. Use threads (asyncio.to_thread) or start workers with stdin/stdout redirected.${maybeStdio(down)}`,
        { downgrade: down },
      );
    }
  }
}

// ---- MCP104 ----------------------------------------------------------------------------------

/** MCP104: a server with tools that never starts a transport. */
export function mcp104(py: PyFile): void {
  if (/(^|[\\/])__init__\.py$/.test(py.file)) return;
  for (const s of py.servers) {
    if (s.imported || s.transport !== 'none') continue;
    const defs = py.definitions.filter((d) => d.server === s);
    if (!defs.length) continue;
    // A factory that returns the server, a server mounted into another one, or one driven
    // in-process by a client in this file is not meant to start a transport here.
    if (s.returned || s.mounted || s.inProcess) continue;
    const eol = py.src.eol;
    const text = py.src.text;
    const append = `${text.endsWith('\n') ? eol : eol + eol}if __name__ == "__main__":${eol}    ${s.name}.run()${eol}`;
    // Proven only when the file is written to be run (`if __name__ == "__main__":`) and that
    // block does not start the server; otherwise nothing seen runs it, which is a warning.
    const guard = py.hasMainGuard;
    const evidence = guard
      ? `its \`if __name__ == "__main__":\` block does not start it, so \`python ${path.basename(py.file)}\` exits at once and clients report "Connection closed"`
      : `a client config in the project launches it as \`python ${path.basename(py.file)}\`, which exits at once ("Connection closed")`;
    py.hit(
      'MCP104',
      s.node,
      `Server '${s.name}' registers ${defs.length} ${defs.length === 1 ? 'definition' : 'definitions'} but nothing starts it: this file never calls ${s.name}.run() (or builds an HTTP app), and ${evidence}. Add \`if __name__ == "__main__": ${s.name}.run()\`, unless it is started in a way MCP Doctor cannot see.`,
      {
        severity: 'error',
        // Without a __main__ block the module is written to be loaded by a runner (`fastmcp run`,
        // `mcp run`, an importer): the engine keeps the finding only when a client config in the
        // project launches the file directly with Python.
        data: guard ? undefined : { needsScriptLaunch: true },
        fixes: fixes(
          fix(
            `Append: if __name__ == "__main__": ${s.name}.run()`,
            edit(py, text.length, text.length, append),
            [],
            true,
          ),
        ),
      },
    );
  }
}

// ---- MCP105 ----------------------------------------------------------------------------------

/** MCP105: blocking run() inside a running event loop. */
export function mcp105(py: PyFile): void {
  const nest = py.calls.some((c) => py.callee(c) === 'nest_asyncio.apply');
  for (const s of py.servers) {
    for (const st of s.starts) {
      if (st.method !== 'run' || st.node.type !== 'call') continue;
      const call = st.node;
      const fn = py.enclosingFunction(call);
      const outer = call.parent?.type === 'argument_list' ? call.parent.parent : undefined;
      const viaAsyncioRun = outer?.type === 'call' && /^(asyncio|anyio|trio)\.run$/.test(py.callee(outer) ?? '');
      const line = py.line(call);
      if (fn?.isAsync) {
        const target = call.parent?.type === 'await' ? call.parent : call;
        const replacement = asyncRun(py, s, st);
        py.hit(
          'MCP105',
          call,
          `${s.name}.run() on line ${line} is called inside async def ${fn.name}(), but run() starts its own event loop: inside a running loop it raises "Already running asyncio in this thread" and the server dies before the handshake. ${replacement ? `Use ${replacement}.` : "Await the framework's async run method instead."}`,
          {
            fixes: replacement
              ? fixes(fix(`Use ${replacement}`, replaceNode(py, target, replacement), [], true))
              : undefined,
          },
        );
      } else if (viaAsyncioRun) {
        py.hit(
          'MCP105',
          call,
          `${py.text(outer!)} on line ${line} runs ${s.name}.run() inside an event loop, but run() is synchronous and starts its own loop ("Already running asyncio in this thread"). Call ${s.name}.run() directly.`,
          {
            fixes: fixes(fix(`Call ${s.name}.run() directly`, replaceNode(py, outer!, py.text(call)), [], true)),
          },
        );
      } else if (nest) {
        py.hit(
          'MCP105',
          call,
          `This module calls nest_asyncio.apply() and then ${s.name}.run() on line ${line}: run() starts its own event loop and nesting it inside another loop breaks the transport ("Already running asyncio in this thread"). Run the server from a plain synchronous entry point.`,
          {
            downgrade: true,
          },
        );
      }
    }
  }
}

function asyncRun(py: PyFile, s: ServerFact, st: StartCall): string | undefined {
  const argsText = st.node.type === 'call' ? py.text(py.args(st.node)!) : '()';
  if (s.framework === 'fastmcp') return `await ${s.name}.run_async${argsText}`;
  switch (st.transport) {
    case 'stdio':
      return `await ${s.name}.run_stdio_async()`;
    case 'http':
      return `await ${s.name}.run_streamable_http_async()`;
    case 'sse':
      return `await ${s.name}.run_sse_async()`;
    default:
      return undefined;
  }
}

// ---- MCP106 ----------------------------------------------------------------------------------

interface Dockerfile {
  path?: string;
  text?: string;
}

/** The project's Dockerfile (path and text), when the project context knows one. */
export function dockerfileOf(py: PyFile): Dockerfile | undefined {
  const d = py.project.deployment.dockerfile ?? py.project.deployment.compose;
  if (!d) return undefined;
  if (d.includes('\n')) return { text: d };
  const p = path.isAbsolute(d) ? d : path.join(py.project.root, d);
  try {
    return { path: p, text: fs.readFileSync(p, 'utf8') };
  } catch {
    return { path: p };
  }
}

/** MCP106 (code half): HTTP servers bound to loopback; the engine pairs them with container facts. */
export function mcp106(py: PyFile): void {
  const docker = dockerfileOf(py);
  const overridden =
    !!docker?.text && /(--host[= ]+0\.0\.0\.0|FASTMCP_HOST=["']?0\.0\.0\.0|HOST=["']?0\.0\.0\.0)/.test(docker.text);
  const report = (node: PyNode, host: string | undefined, what: string, fixEdit: ReturnType<typeof addKeyword>) => {
    // Loopback is the secure default: without container evidence (a Dockerfile or compose
    // file for this project) there is nothing to report.
    if (!docker || (host === undefined && overridden)) return;
    const shown = host ?? '127.0.0.1 (the default)';
    const container = docker
      ? `The project has a container build (${docker.path ? path.basename(docker.path) : 'Dockerfile'}), and inside`
      : 'Inside';
    py.hit(
      'MCP106',
      node,
      `${what} binds ${shown}. ${container} a container a loopback-bound server is unreachable through a published port (docker run -p gives "connection refused"). Bind host="0.0.0.0" in the container and publish it as -p 127.0.0.1:PORT:PORT.`,
      {
        downgrade: !docker,
        data: { loopbackBind: true, host: host ?? '127.0.0.1', defaulted: host === undefined },
        fixes: docker ? fixes(fix('Bind 0.0.0.0 (container)', fixEdit, [], true)) : undefined,
      },
    );
  };
  for (const s of py.servers) {
    if (s.imported) continue;
    const ctorHost = s.ctor ? py.kwargs(s.ctor).get('host') : undefined;
    for (const st of s.starts) {
      if (
        (st.transport !== 'http' && st.transport !== 'sse') ||
        st.node.type !== 'call' ||
        !st.method.startsWith('run')
      )
        continue;
      if (s.framework === 'fastmcp') {
        const h = py.kwargs(st.node).get('host') ?? ctorHost;
        if (h) {
          const v = py.str(h);
          if (v !== undefined && isLoopback(v))
            report(h, v, `${s.name}.${st.method}() on line ${py.line(st.node)}`, replaceNode(py, h, '"0.0.0.0"'));
        } else if (!py.hasSplat(st.node)) {
          report(
            st.node,
            undefined,
            `${s.name}.${st.method}() on line ${py.line(st.node)}`,
            addKeyword(py, st.node, 'host="0.0.0.0"'),
          );
        }
      } else if (s.ctor) {
        if (ctorHost) {
          const v = py.str(ctorHost);
          if (v !== undefined && isLoopback(v))
            report(ctorHost, v, `Server '${s.name}' (line ${py.line(s.ctor)})`, replaceNode(py, ctorHost, '"0.0.0.0"'));
        } else if (!py.hasSplat(s.ctor)) {
          report(
            s.ctor,
            undefined,
            `Server '${s.name}' (line ${py.line(s.ctor)}) runs over HTTP and`,
            addKeyword(py, s.ctor, 'host="0.0.0.0"'),
          );
        }
        break;
      }
    }
  }
  for (const call of py.calls) {
    if (py.callee(call) !== 'uvicorn.run') continue;
    const h = py.kwargs(call).get('host');
    if (h) {
      const v = py.str(h);
      if (v !== undefined && isLoopback(v))
        report(h, v, `uvicorn.run() on line ${py.line(call)}`, replaceNode(py, h, '"0.0.0.0"'));
    } else if (!py.hasSplat(call)) {
      report(call, undefined, `uvicorn.run() on line ${py.line(call)}`, addKeyword(py, call, 'host="0.0.0.0"'));
    }
  }
}

// ---- MCP107 ----------------------------------------------------------------------------------

/** MCP107: Streamable HTTP app mounted into FastAPI/Starlette without its lifespan. */
export function mcp107(py: PyFile): void {
  const appCtors = py.calls.filter((c) => /(^|\.)(FastAPI|Starlette)$/.test(py.callee(c) ?? ''));
  if (!appCtors.length) return;
  for (const s of py.servers) {
    for (const st of s.starts) {
      if (
        st.node.type !== 'call' ||
        (st.method !== 'http_app' && st.method !== 'streamable_http_app') ||
        st.transport === 'sse'
      )
        continue;
      const call = st.node;
      let varName: string | undefined;
      if (call.parent?.type === 'assignment' && field(call.parent, 'right') === call) {
        const left = field(call.parent, 'left');
        if (left?.type === 'identifier') varName = py.text(left);
      }
      // Where is it mounted?
      const mounts: PyNode[] = [];
      const direct = mountCallAround(py, call);
      if (direct) mounts.push(direct);
      if (varName) {
        for (const c of py.calls) {
          const q = py.callee(c) ?? '';
          const fnNode = field(c, 'function');
          const isMount =
            /(^|\.)Mount$/.test(q) ||
            (fnNode?.type === 'attribute' && py.text(field(fnNode, 'attribute')!) === 'mount');
          if (isMount && named(py.args(c)).some((a) => identifiersIn(py, a).includes(varName!))) mounts.push(c);
        }
      }
      for (const mount of mounts) {
        const ctor = appFor(py, mount, appCtors);
        if (!ctor) continue;
        const lifespan = py.kwargs(ctor).get('lifespan');
        if (lifespan && lifespanOk(py, lifespan, varName, s)) continue;
        const fixEdit =
          !lifespan && varName && s.framework === 'fastmcp'
            ? addKeyword(py, ctor, `lifespan=${varName}.lifespan`)
            : undefined;
        py.hit(
          'MCP107',
          mount,
          `${s.name}.${st.method}() is mounted on line ${py.line(mount)}, but the ${py.callee(ctor)?.split('.').pop()} app on line ${py.line(ctor)} ${lifespan ? "has a lifespan that does not run the MCP app's lifespan" : 'has no lifespan='}: mounted apps' lifespans do not run, so the session manager never starts and every request fails with "Task group is not initialized". ${s.framework === 'fastmcp' ? `Pass lifespan=${varName ?? 'mcp_app'}.lifespan` : `Use a lifespan that runs \`async with ${s.name}.session_manager.run(): yield\``}.`,
          {
            fixes: fixes(fix(`Pass lifespan=${varName}.lifespan`, fixEdit, [], true)),
          },
        );
      }
    }
  }
}

function mountCallAround(py: PyFile, node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'call') {
      const q = py.callee(p) ?? '';
      const fnNode = field(p, 'function');
      if (/(^|\.)Mount$/.test(q) || (fnNode?.type === 'attribute' && py.text(field(fnNode, 'attribute')!) === 'mount'))
        return p;
      return undefined;
    }
    if (p.type === 'function_definition' || p.type === 'expression_statement') return undefined;
  }
  return undefined;
}

/** The FastAPI/Starlette constructor a mount belongs to: the enclosing one, or `x` of `x.mount(...)`. */
function appFor(py: PyFile, mount: PyNode, ctors: PyNode[]): PyNode | undefined {
  for (let p = mount.parent; p; p = p.parent) if (ctors.includes(p)) return p;
  const fnNode = field(mount, 'function');
  if (fnNode?.type === 'attribute') {
    const obj = field(fnNode, 'object');
    if (obj?.type === 'identifier') {
      const name = py.text(obj);
      return ctors.find((c) => c.parent?.type === 'assignment' && py.text(field(c.parent, 'left')!) === name);
    }
  }
  // `routes = [Mount(...)]` then Starlette(routes=routes)
  const assign = mount.parent?.parent?.type === 'assignment' ? mount.parent.parent : undefined;
  const routesVar = assign ? field(assign, 'left') : undefined;
  if (routesVar?.type === 'identifier') {
    const name = py.text(routesVar);
    return ctors.find((c) => named(py.args(c)).some((a) => identifiersIn(py, a).includes(name)));
  }
  return undefined;
}

function lifespanOk(py: PyFile, lifespan: PyNode, varName: string | undefined, s: ServerFact): boolean {
  const text = py.text(lifespan);
  if (varName && text.includes(varName)) return true;
  if (/lifespan|session_manager|combine/.test(text) && lifespan.type !== 'identifier') return true;
  if (lifespan.type === 'identifier') {
    const fn = py.moduleFunctions.get(text);
    if (!fn) return true; // imported: cannot tell
    const body = py.text(fn.body);
    return (
      body.includes('session_manager') ||
      body.includes('.lifespan') ||
      body.includes('lifespan_context') ||
      body.includes(s.name)
    );
  }
  return true;
}

// ---- MCP108 ----------------------------------------------------------------------------------

/** MCP108: DNS-rebinding (Host/Origin) validation too strict for a deployment, or switched off. */
export function mcp108(py: PyFile): void {
  const docker = dockerfileOf(py);
  for (const s of py.servers) {
    if (s.imported || !s.ctor || s.framework !== 'mcp-python-sdk') continue;
    const http = s.starts.some((st) => st.transport === 'http' || st.transport === 'sse');
    if (!http || !docker) continue;
    const kw = py.kwargs(s.ctor);
    if (kw.has('transport_security') || py.hasSplat(s.ctor)) continue;
    const host = kw.get('host');
    const hv = host ? py.str(host) : '127.0.0.1';
    if (hv === undefined || !isLoopback(hv)) continue;
    py.hit(
      'MCP108',
      s.ctor,
      `Server '${s.name}' runs over HTTP with the default host (${hv}), so the SDK enables localhost-only Host validation; deployed behind the project's container, a proxy or a custom domain every request is rejected with 421 "Invalid Host header". Pass transport_security=TransportSecuritySettings(allowed_hosts=[...], allowed_origins=[...]) listing the public host.`,
      {},
    );
  }
  for (const call of py.calls) {
    if (!/(^|\.)TransportSecuritySettings$/.test(py.callee(call) ?? '')) continue;
    const off = py.kwargs(call).get('enable_dns_rebinding_protection');
    if (!off || off.type !== 'false') continue;
    const authed = py.servers.some(
      (s) => s.ctor && ['auth', 'token_verifier', 'auth_server_provider'].some((k) => py.kwargs(s.ctor!).has(k)),
    );
    if (authed) continue;
    py.hit(
      'MCP108',
      off,
      `enable_dns_rebinding_protection=False on line ${py.line(off)} turns off Host/Origin checks on a server without authentication: any web page can reach a localhost MCP server through DNS rebinding and call its tools. Keep protection on and list the allowed hosts and origins.`,
      {
        fixes: fixes(fix('Enable DNS-rebinding protection', replaceNode(py, off, 'True'), [], true)),
      },
    );
  }
}

// ---- MCP109 ----------------------------------------------------------------------------------

/** MCP109: CORS middleware that hides Mcp-Session-Id from browser clients. */
export function mcp109(py: PyFile): void {
  if (
    !py.servers.some(
      (s) =>
        !s.stateless && (s.imported || s.starts.some((st) => st.transport === 'http' || st.transport === 'unknown')),
    )
  )
    return;
  for (const call of py.calls) {
    const pos = py.positional(call);
    const q = py.callee(call) ?? '';
    const isCors =
      (/(^|\.)Middleware$/.test(q) || /\.add_middleware$/.test(py.text(field(call, 'function')!))) &&
      pos[0] &&
      /(^|\.)CORSMiddleware$/.test(py.qualify(pos[0]) ?? '');
    if (!isCors || py.hasSplat(call)) continue;
    const kw = py.kwargs(call);
    const expose = kw.get('expose_headers');
    const exposeText = expose ? py.text(expose).toLowerCase() : '';
    if (!expose || (!exposeText.includes('mcp-session-id') && !/["']\*["']/.test(exposeText))) {
      py.hit(
        'MCP109',
        call,
        `CORSMiddleware on line ${py.line(call)} does not list Mcp-Session-Id in expose_headers: browser clients (MCP Inspector, web apps) cannot read the session id returned by initialize, so their next request fails with "Missing session ID". Add expose_headers=["Mcp-Session-Id"].`,
        {
          fixes: expose
            ? undefined
            : fixes(fix('Expose Mcp-Session-Id', addKeyword(py, call, 'expose_headers=["Mcp-Session-Id"]'), [], true)),
        },
      );
    }
    const allow = kw.get('allow_headers');
    if (allow) {
      const t = py.text(allow).toLowerCase();
      if (!/["']\*["']/.test(t) && (!t.includes('mcp-session-id') || !t.includes('mcp-protocol-version'))) {
        py.hit(
          'MCP109',
          allow,
          `allow_headers on line ${py.line(allow)} omits ${!t.includes('mcp-session-id') ? 'mcp-session-id' : 'mcp-protocol-version'}: browsers refuse the preflight for MCP requests that carry it. Add "mcp-session-id" and "mcp-protocol-version" (or "*").`,
          {},
        );
      }
    }
  }
}

// ---- MCP110 ----------------------------------------------------------------------------------

/** MCP110: stateful sessions served by several worker processes. */
export function mcp110(py: PyFile): void {
  const stateful = py.servers.filter((s) => !s.stateless || s.starts.some((st) => st.transport === 'sse'));
  if (!stateful.length) return;
  for (const call of py.calls) {
    if (py.callee(call) !== 'uvicorn.run') continue;
    const w = py.kwargs(call).get('workers');
    const n = numberValue(py, w);
    if (!w || n === undefined || n <= 1) continue;
    const s = stateful[0];
    py.hit(
      'MCP110',
      w,
      `uvicorn.run(workers=${n}) on line ${py.line(w)} serves '${s.name}' from ${n} processes, but Streamable HTTP sessions live in one process's memory: follow-up requests that land on another worker fail with 404 "Session not found". Use stateless_http=True, or one worker with sticky routing.`,
      {},
    );
  }
}
