/** Starting the server: MCP104 (a server with tools that never starts) and MCP105 (run() inside a running event loop). */
import * as path from 'node:path';
import { field } from '../../ast';
import type { PyFile } from '../../context';
import type { FunctionFact } from '../../functions';
import type { ServerFact, StartCall } from '../../servers';
import { edit, fix, fixes, replaceNode } from '../../fixes';
import { catchingHandler } from '../util';

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
    // The file serves another app (`uvicorn.run(app)` of a hand-written endpoint): it does not
    // exit at once, and what it serves is not for this rule to judge.
    if (servesOtherApp(py, s)) continue;
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

/** Calls that serve a web app until stopped. */
const SERVE_CALL = /^(uvicorn\.run|hypercorn\.asyncio\.serve|aiohttp\.web\.run_app|waitress\.serve)$|\.serve_forever$/;

/** Whether module-level code, or a function of the file it calls (a few levels), serves an app other than server `s`. */
function servesOtherApp(py: PyFile, s: ServerFact): boolean {
  const seen = new Set<FunctionFact | undefined>([undefined]);
  let frontier: (FunctionFact | undefined)[] = [undefined];
  for (let depth = 0; depth < 4 && frontier.length; depth++) {
    const next: FunctionFact[] = [];
    for (const fn of frontier)
      for (const c of py.callsIn(fn)) {
        const q = py.callee(c) ?? '';
        if (SERVE_CALL.test(q)) return true;
        // `app.run(host=..., port=...)` on a Flask-style app, not on the server.
        const kw = py.kwargs(c);
        const parts = q.split('.');
        if (parts.length === 2 && parts[1] === 'run' && parts[0] !== s.name && (kw.has('host') || kw.has('port')))
          return true;
        const callee = field(c, 'function');
        const local = callee?.type === 'identifier' ? py.moduleFunctions.get(py.text(callee)) : undefined;
        if (local && !seen.has(local)) {
          seen.add(local);
          next.push(local);
        }
      }
    frontier = next;
  }
  return false;
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
        // Python evaluates the argument first: run() serves with no loop running, returns None
        // when the server stops, and only then does the outer call fail (checked on fastmcp 4.0.10
        // and mcp 2.3.0: asyncio.run(None) raises ValueError, anyio.run(None) TypeError).
        const runner = py.callee(outer!) ?? 'asyncio.run';
        const failure = runner.startsWith('asyncio')
          ? 'raises "ValueError: a coroutine was expected, got None"'
          : runner.startsWith('anyio')
            ? `raises "TypeError: 'NoneType' object is not callable"`
            : 'fails, since None is not an async function';
        const caughtAt = catchingHandler(py, outer!, [runner.startsWith('asyncio') ? 'ValueError' : 'TypeError']);
        const effect = caughtAt
          ? `The except clause on line ${caughtAt} catches it, so every shutdown reports that error instead of ending cleanly.`
          : 'Every clean shutdown ends with a traceback and exit code 1.';
        py.hit(
          'MCP105',
          call,
          `${py.text(outer!)} on line ${line}: Python evaluates ${s.name}.run() first, with no event loop running, so this is not a nested loop: run() is synchronous and runs the whole server, and when it returns, ${runner}() receives None and ${failure}. ${effect} Call ${s.name}.run() directly.`,
          {
            ...(caughtAt ? { severity: 'info' as const } : { downgrade: true }),
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
