/**
 * MCP101: writes to stdout on a stdio server: print, sys.stdout writes, click/typer echo, and
 * loggers or consoles set up to write to stdout (logging, loguru, rich, structlog).
 */
import { field, named, type PyNode } from '../../ast';
import type { RuleHit } from '../../../types';
import type { PyFile } from '../../context';
import { inMainGuard, serveReach } from '../../flow';
import { addKeyword, ensureImport, fix, fixes, replaceNode } from '../../fixes';
import { branchTransport } from '../../branches';
import { isStdout, maybeStdio, stdioIsolation, stdioState } from '../util';

// ---- MCP101 ----------------------------------------------------------------------------------

const ECHO = new Set(['click.echo', 'click.secho', 'typer.echo', 'typer.secho']);
const STDOUT_WRITES = /^sys\.(stdout|__stdout__)(\.buffer)?\.(write|writelines)$/;

/** Objects that write to sys.stdout unless given a stream (`keyword=`). */
const STDOUT_WRITERS: { callee: RegExp; keyword: string; name: (q: string) => string; prints: string; fix: string }[] =
  [
    {
      callee: /^opentelemetry\.sdk\.(trace|metrics|_logs)\.export\.Console(Span|Metric|Log)Exporter$/,
      keyword: 'out',
      name: (q) => `OpenTelemetry ${q.slice(q.lastIndexOf('.') + 1)}`,
      prints: 'prints every exported record',
      fix: 'Export to sys.stderr',
    },
    {
      callee: /^structlog(\.stdlib)?\.PrintLoggerFactory$/,
      keyword: 'file',
      name: () => 'structlog PrintLoggerFactory',
      prints: 'prints',
      fix: 'Print logs to sys.stderr',
    },
  ];

/** MCP101: writes to stdout on a (possibly) stdio server. */
export function mcp101(py: PyFile): void {
  const state = stdioState(py);
  if (!state.applies) return;
  const before = py.hits.length;
  writes(py, state);
  tagImportedServer(py, state, before);
  // A runner's writes matter only if the name it runs is a server of the module it comes from.
  if (state.imported)
    for (const h of py.hits.slice(before))
      h.data = { ...h.data, importedServer: { name: state.imported, cls: ['mcp1', 'mcp2', 'fastmcp'] } };
}

/**
 * Hits since `before` on a module whose stdio state comes from a server imported from another
 * module (`from app.mcp import mcp`, tools registered on it): the project model drops them when the
 * project starts that server over HTTP/SSE only (`data.viaServer`).
 */
export function tagImportedServer(py: PyFile, state: ReturnType<typeof stdioState>, before: number): void {
  if (!state.downgrade || !state.server?.imported) return;
  for (const h of py.hits.slice(before)) h.data = { ...h.data, viaServer: state.server.name };
}

function writes(py: PyFile, state: ReturnType<typeof stdioState>): void {
  const iso = stdioIsolation(py);
  const extra = (node: PyNode) =>
    !py.atModuleLevel(node)
      ? ''
      : inMainGuard(py, node)
        ? ' It runs at startup (the `__main__` block), before or during the handshake.'
        : ' It runs at import time, before or during the handshake.';
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
    if (iso.kind === 'unknown' && (serving || global)) {
      const hedge = ` This breaks on mcp 1.x / fastmcp 3 and earlier; mcp 2.x (fastmcp 4) diverts stdout to stderr while it serves, and ${iso.why}.`;
      return {
        extra: {
          severity: state.downgrade ? 'info' : 'warning',
          downgrade: state.downgrade,
          // A helper module has no import of its own: the stdio module that imports it may prove
          // the era (`mcp.server.fastmcp` → 1.x), which the engine reads (crossFile).
          ...(py.helper ? { data: { eraByImporter: { hedge, serving } } } : {}),
        },
        note: `${hedge}${stdioNote}`,
      };
    }
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
    // Writers that default to sys.stdout unless given a stream: OpenTelemetry's console exporters
    // (every span, metric or log record) and structlog's PrintLoggerFactory.
    const writer = STDOUT_WRITERS.find((w) => w.callee.test(q));
    if (writer) {
      const lv = !kw.has(writer.keyword) && !py.positional(call).length ? level(call, true) : undefined;
      if (lv) {
        const what = writer.name(q);
        py.hit(
          'MCP101',
          call,
          `${what}() on line ${line} ${writer.prints} to stdout by default, the JSON-RPC channel of a stdio server. Pass ${writer.keyword}=sys.stderr.${lv.note}`,
          {
            ...lv.extra,
            fixes: fixes(
              fix(
                writer.fix,
                addKeyword(py, call, `${writer.keyword}=${stderrName(py)}`),
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
    // A CLI path that exits or returns before any server starts writes to a terminal.
    const reach = serveReach(py, call);
    if (!reach.may && !reach.roots.size) continue;
    // In a helper module: the functions through which a caller reaches this write (the project
    // model drops the finding when every importer calls them only on such CLI paths).
    const via = reach.may ? undefined : { entryFns: [...reach.roots] };
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
            data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
            data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
              data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
            data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
            data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
            data: lv.extra.data || via ? { ...lv.extra.data, ...via } : undefined,
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
