/** MCP113: a low-level server served over stdio with `raise_exceptions=True` on mcp 2.x. */
import { field, named, type PyNode } from '../../ast';
import type { PyFile } from '../../context';
import { dispatchersOf, lowLevelServers } from '../../dispatchers';
import { fix, fixes, edit } from '../../fixes';
import { majorOf, provenPyVersion } from '../../../project/versions';

/**
 * mcp 2.3 `Server.run(read, write, options, raise_exceptions=True)`: the first handler that raises
 * (a failing tool call) is re-raised out of the connection loop: the request may or may not be answered first, nor
 * is any later one, and the process exits (status 1) when it next reads from stdin. mcp 1.x's
 * `@server.call_tool()` turns a tool's exception into an isError result before it gets there, so
 * the rule fires only with evidence of mcp 2.x: the project's proven mcp version, or the 2.x-only
 * `Server(..., on_call_tool=...)` handler API.
 */
export function mcp113(py: PyFile): void {
  const servers = lowLevelServers(py);
  if (!servers.size || !py.src.text.includes('raise_exceptions')) return;
  const proven = provenPyVersion(py.project, 'mcp');
  const major = majorOf(proven);
  for (const call of py.calls) {
    const fnNode = field(call, 'function');
    if (fnNode?.type !== 'attribute' || py.text(field(fnNode, 'attribute')!) !== 'run') continue;
    const obj = field(fnNode, 'object');
    if (obj?.type !== 'identifier' && obj?.type !== 'attribute') continue;
    const server = py.text(obj);
    const ctor = servers.get(server);
    if (!ctor) continue;
    const flag = py.kwargs(call).get('raise_exceptions');
    if (!flag || !py.isTrue(flag)) continue;
    if (!insideStdioServer(py, call)) continue;
    const handlerApi = [...py.kwargs(ctor).keys()].some((k) => k.startsWith('on_'));
    const decorators = dispatchersOf(py).some((d) => d.server === server && d.style === 'decorator');
    // 1.x decorators: on mcp 1.x they catch a tool's exception; on mcp 2.x the import already fails.
    if (decorators) continue;
    let evidence: string;
    if (major !== undefined && major >= 2) evidence = `the project gets mcp ${proven}`;
    else if (major === undefined && handlerApi) evidence = `Server(..., on_...=) is the mcp 2.x handler API`;
    else continue;
    const kw = flag.parent!;
    py.hit(
      'MCP113',
      kw,
      `${server}.run(..., raise_exceptions=True) on line ${py.line(call)} serves stdio on mcp 2.x (${evidence}): the first request whose handler raises (a tool call that fails, e.g. on a bad argument) is re-raised out of the connection loop: the server stops serving. That call may or may not get its error answer first (a race), no later request is answered, and the process exits with status 1 when it reads the client's next message; the client sees timeouts, then a closed connection. Drop raise_exceptions=True (the default sends the failure to the client as an error) and keep it for tests.`,
      { fixes: fixes(fix('Remove raise_exceptions=True', edit(py, removalStart(py, kw), kw.end, ''), [], true)) },
    );
  }
}

/** Whether a call sits inside `async with stdio_server() as (...)`. */
function insideStdioServer(py: PyFile, n: PyNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'function_definition') return false;
    if (p.type !== 'with_statement') continue;
    for (const item of named(p)) {
      if (item.type === 'block') continue;
      let found = false;
      const visit = (x: PyNode): void => {
        if (found) return;
        if (x.type === 'call' && /(^|\.)stdio_server$/.test(py.callee(x) ?? '')) found = true;
        else for (const c of named(x)) visit(c);
      };
      visit(item);
      if (found) return true;
    }
  }
  return false;
}

/** Start of the text to delete with a keyword argument: the comma and spaces before it. */
function removalStart(py: PyFile, kw: PyNode): number {
  const text = py.src.text;
  let i = kw.start;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return text[i - 1] === ',' ? i - 1 : kw.start;
}
