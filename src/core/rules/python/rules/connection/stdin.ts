/** MCP103: child processes and stdin reads that share the stdio server's protocol pipes. */
import { named, type PyNode } from '../../ast';
import type { PyFile } from '../../context';
import { serveReach } from '../../flow';
import { branchTransport } from '../../branches';
import { addKeyword, ensureImport, fix, fixes } from '../../fixes';
import { maybeStdio, stdioIsolation, stdioState } from '../util';
import { tagImportedServer } from './stdout';

// ---- MCP103 ----------------------------------------------------------------------------------

const SUBPROCESS = /^subprocess\.(run|call|check_call|check_output|Popen)$/;
const ASYNC_SUBPROCESS = /^asyncio(\.subprocess)?\.create_subprocess_(exec|shell)$/;
const STDIN_READS =
  /^(input|builtins\.input|getpass\.getpass|sys\.stdin\.(read|readline|readlines)|sys\.stdin\.buffer\.(read|readline))$/;

/** File commands that read no stdin and write nothing to stdout unless asked to (`-v`, `-i`). */
const QUIET_COMMANDS = /^(?:\/(?:usr\/)?bin\/)?(mkdir|rmdir|rm|touch|chmod|chown|chgrp|ln|cp|mv)$/;

/** `subprocess.run(["mkdir", "-p", d])`: a literal argv of a quiet file command without verbose or interactive flags. */
function quietCommand(py: PyFile, call: PyNode, isAsync: boolean): boolean {
  const pos = py.positional(call);
  const argv = isAsync ? pos : pos[0]?.type === 'list' ? named(pos[0]) : [];
  if (!QUIET_COMMANDS.test(py.str(argv[0]) ?? '')) return false;
  return argv.slice(1).every((a) => {
    const v = py.str(a);
    // Flags spelled out; a computed argument is a path (a value starting with "-" is the caller's problem).
    return v === undefined || !/^-(?:-?(?:verbose|interactive)$|[a-zA-Z]*[vi])/.test(v);
  });
}

/** MCP103: child processes and stdin reads that share the stdio pipe. */
export function mcp103(py: PyFile): void {
  const before = py.hits.length;
  const state = stdioState(py);
  childrenAndReads(py, state);
  tagImportedServer(py, state, before);
}

function childrenAndReads(py: PyFile, state: ReturnType<typeof stdioState>): void {
  // A runner of an imported server: MCP101 only (its writes are confirmed by the project model).
  if (!state.applies || state.imported) return;
  const down = state.downgrade;
  // mcp 2.x (fastmcp 4) points fd 0 at the null device and fd 1 at stderr while it serves: a
  // handler's children inherit those, not the protocol pipes (checked on mcp 2.3).
  const iso = stdioIsolation(py);
  if (py.helper) return helperStdinReads(py);
  for (const call of py.calls) {
    const q = py.callee(call);
    if (!q) continue;
    const line = py.line(call);
    const serving = py.runsOnlyWhileServing(call);
    // A prompt or a child process on a CLI path that exits or returns before any server starts
    // (a setup or login sub-command) runs in a terminal, not on the protocol pipes.
    if (!serveReach(py, call).may || branchTransport(py, call) === 'other') continue;
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
      if (kw.has('stdin') || py.hasSplat(call) || quietCommand(py, call, ASYNC_SUBPROCESS.test(q))) continue;
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

/**
 * MCP103 in a helper module (no MCP import of its own) that a stdio server imports: stdin reads
 * only, at import time or in functions a caller reaches. The engine adds the evidence (the stdio
 * module that imports it), and the project model drops the finding when every importer calls
 * those functions only on paths that cannot serve stdio (`data.entryFns`).
 */
function helperStdinReads(py: PyFile): void {
  const iso = stdioIsolation(py);
  for (const call of py.calls) {
    const q = py.callee(call);
    if (!q || !STDIN_READS.test(q)) continue;
    if (!py.isReachable(call)) continue;
    const reach = serveReach(py, call);
    if (!reach.may && !reach.roots.size) continue;
    const via = reach.may ? undefined : { entryFns: [...reach.roots] };
    const serving = !py.atModuleLevel(call);
    const eof = /input$|getpass$/.test(q) ? 'raises EOFError' : 'returns an empty string';
    const effect =
      iso.kind === 'isolated' && serving
        ? `this project runs on mcp 2.x (${iso.why}), which points fd 0 at the null device while it serves, so the read hits end-of-file at once (${q}() ${eof}) and the call fails`
        : iso.kind === 'shared' || !serving
          ? "stdin is the client's request pipe, so the read blocks or swallows JSON-RPC messages"
          : `stdin is the client's request pipe, so on mcp 1.x / fastmcp 3 and earlier the read blocks or swallows JSON-RPC messages, and on mcp 2.x / fastmcp 4 (fd 0 is the null device while serving) it hits end-of-file at once (${q}() ${eof}): either way the tool never gets the answer it asks for`;
    py.hit(
      'MCP103',
      call,
      `${q}() on line ${py.line(call)} reads stdin in a module that a stdio server imports: ${effect}. Take the value as a tool argument (or from the environment) instead.`,
      // Warning whatever the era; `downgrade` asks the engine for the evidence (the stdio importer).
      { severity: 'warning', downgrade: true, data: via },
    );
  }
}
