/** Performance rules: slow startup, long tools without progress, unbounded output, per-call leaks. */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { addKeyword, fix, fixes } from '../fixes';
import { identifiersIn, lastAssignments, numberValue, returnsOf, walkBody } from './util';

// ---- MCP401 ----------------------------------------------------------------------------------

const HEAVY =
  /^(torch|tensorflow|transformers|sentence_transformers|litellm|langchain\w*|llama_index|spacy|cv2|playwright|keras|jax|paddle\w*)(\.|$)/;
const STARTUP_IO =
  /^(requests\.(get|post|request)|boto3\.(client|resource)|sqlite3\.connect|psycopg2?\.connect|pymysql\.connect|sentence_transformers\.SentenceTransformer|spacy\.load|whisper\.load_model|urllib\.request\.urlopen)$/;

/** MCP401: heavy imports and eager I/O at import time delay the initialize response. */
export function mcp401(py: PyFile): void {
  const own = py.servers.filter((s) => !s.imported);
  if (!own.length) return;
  // Only a stdio run makes a client spawn the process and wait on a start timeout. Servers that
  // all serve HTTP/SSE: no finding, unless a module that imports this one starts stdio (decided
  // with the project model, `data.httpOnly`). A transport read from a variable: one level lower.
  const starts = own.flatMap((s) => s.starts.map((st) => st.transport));
  const httpOnly = starts.length > 0 && starts.every((t) => t === 'http' || t === 'sse');
  const unknown = !httpOnly && starts.includes('unknown') && !starts.includes('stdio');
  const extra = httpOnly ? { data: { httpOnly: true } } : unknown ? { downgrade: true } : {};
  const pandasArrow = py.importsFrom('pandas') && py.importsFrom('pyarrow');
  for (const imp of py.importNodes) {
    if (!py.atModuleLevel(imp) || inTypeChecking(py, imp)) continue;
    const mods = importedModules(py, imp);
    const heavy = mods.find((m) => HEAVY.test(m) || (pandasArrow && /^(pandas|pyarrow)(\.|$)/.test(m)));
    if (!heavy) continue;
    py.hit(
      'MCP401',
      imp,
      `Importing ${heavy} at module level (line ${py.line(imp)}) can take many seconds, and it happens before the server answers initialize: clients with a startup timeout (Claude Code: 30 s, often less) drop the server, especially on first runs. Import it inside the tool that needs it (or in a cached getter).`,
      extra,
    );
  }
  for (const call of py.callsIn(undefined)) {
    if (!py.atModuleLevel(call) || inMainGuard(py, call)) continue;
    const q = py.callee(call) ?? '';
    const fnNode = field(call, 'function');
    const attr = fnNode?.type === 'attribute' ? py.text(field(fnNode, 'attribute')!) : '';
    if (
      STARTUP_IO.test(q) ||
      attr === 'from_pretrained' ||
      /(^|\.)load_model$/.test(q) ||
      /(^|\.)SentenceTransformer$/.test(q)
    ) {
      py.hit(
        'MCP401',
        call,
        `${py.text(fnNode!)}() runs at import time (line ${py.line(call)}), before the server can answer initialize; slow network, model or database setup here pushes the handshake past client timeouts. Create it lazily on first use or start it in the server's lifespan.`,
        extra,
      );
    }
  }
}

function importedModules(py: PyFile, imp: PyNode): string[] {
  if (imp.type === 'import_from_statement') {
    const m = field(imp, 'module_name');
    return m ? [py.text(m)] : [];
  }
  return named(imp).map((c) => py.text(c.type === 'aliased_import' ? field(c, 'name')! : c));
}

function inTypeChecking(py: PyFile, n: PyNode): boolean {
  for (let p = n.parent; p; p = p.parent)
    if (p.type === 'if_statement' && /TYPE_CHECKING/.test(py.text(field(p, 'condition')!))) return true;
  return false;
}

function inMainGuard(py: PyFile, n: PyNode): boolean {
  for (let p = n.parent; p; p = p.parent)
    if (p.type === 'if_statement' && /__name__/.test(py.text(field(p, 'condition')!))) return true;
  return false;
}

// ---- MCP402 ----------------------------------------------------------------------------------

const HTTP_CALLS = /^requests\.(get|post|put|patch|delete|head|options|request)$/;

/** MCP402: long-running tools without progress reporting or timeouts. */
export function mcp402(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    if (hasProgressOrTimeout(py, fn)) continue;
    walkBody(fn, (n) => {
      if (n.type === 'call') {
        const q = py.callee(n) ?? '';
        const kw = py.kwargs(n);
        if (HTTP_CALLS.test(q) && !kw.has('timeout') && !py.hasSplat(n)) {
          py.hit(
            'MCP402',
            n,
            `${q}() on line ${py.line(n)} in tool '${d.def.name}' has no timeout: a slow upstream hangs the call until the client gives up (often 60 s, "Request timed out") with no explanation. Pass timeout= (and report progress for long work).`,
            {
              fixes: fixes(fix('Add timeout=30', addKeyword(py, n, 'timeout=30'), [], true)),
            },
          );
        } else if (/^httpx\./.test(q) && kw.get('timeout')?.type === 'none') {
          py.hit(
            'MCP402',
            kw.get('timeout')!,
            `timeout=None on line ${py.line(n)} in tool '${d.def.name}' disables httpx's timeout: a stalled upstream hangs the tool until the client cancels it. Use a finite timeout.`,
            {},
          );
        } else if (/(^|\.)sleep$/.test(q) && n.parent?.type === 'await') {
          const secs = numberValue(py, py.positional(n)[0]);
          if (secs !== undefined && secs >= 30) {
            py.hit(
              'MCP402',
              n,
              `Tool '${d.def.name}' waits ${secs} s on line ${py.line(n)} without reporting progress: clients cancel requests after a fixed timeout (60 s by default in the TypeScript SDK). Report progress with ctx.report_progress(...) or shorten the wait.`,
              {},
            );
          }
        } else if (
          field(n, 'function')?.type === 'attribute' &&
          py.text(field(field(n, 'function')!, 'attribute')!) === 'communicate' &&
          !kw.has('timeout') &&
          py.args(n)
        ) {
          py.hit(
            'MCP402',
            n,
            `.communicate() on line ${py.line(n)} in tool '${d.def.name}' waits for the child without a timeout: a stuck process hangs the tool until the client gives up. Pass timeout=.`,
            {},
          );
        }
      } else if (n.type === 'while_statement' && field(n, 'condition')?.type === 'true') {
        let sleeps = false;
        walk(n, (m) => {
          if (m.type === 'await' && /sleep/.test(py.text(m))) sleeps = true;
          return !sleeps;
        });
        if (sleeps) {
          py.hit(
            'MCP402',
            n,
            `Tool '${d.def.name}' polls in a while True loop (line ${py.line(n)}) without reporting progress or a deadline: the client times the request out with no feedback. Call ctx.report_progress(...) in the loop and bound it with asyncio.timeout()/wait_for.`,
            {},
          );
        }
      }
      return true;
    });
  }
}

function hasProgressOrTimeout(py: PyFile, fn: FunctionFact): boolean {
  const body = py.text(fn.body);
  return /report_progress\s*\(|asyncio\.(wait_for|timeout)\s*\(|anyio\.(fail_after|move_on_after)\s*\(/.test(body);
}

// ---- MCP403 ----------------------------------------------------------------------------------

const LIMIT_PARAM = /^(limit|max_\w+|page|page_size|cursor|offset|max_chars|top_k|n|count|size|head|tail)$/i;

/** MCP403: tools that return whole files, tables or listings without a bound. */
export function mcp403(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    if (fn.params.some((p) => LIMIT_PARAM.test(p.name))) continue;
    const assigned = lastAssignments(py, fn);
    for (const r of returnsOf(fn)) {
      let v = r.value;
      if (!v) continue;
      if (v.type === 'call' && py.callee(v) === 'json.dumps') v = py.positional(v)[0];
      if (v?.type === 'identifier' && assigned.has(py.text(v))) v = assigned.get(py.text(v));
      const what = v && unbounded(py, v);
      if (!what) continue;
      // A file whose path no argument chooses (a document shipped with the package): its size is
      // the author's, not the input's.
      if (what.startsWith('the whole file') && fixedFile(py, fn, v!, assigned)) continue;
      // `SELECT ... LIMIT 50` in the tool: the query bounds the rows.
      if (what.startsWith('every row') && boundedQuery(py, fn)) continue;
      py.hit(
        'MCP403',
        r.stmt,
        `Tool '${d.def.name}' returns ${what} on line ${py.line(r.stmt)} with no size limit and has no limit/max_chars/page parameter: large results flood the model's context and clients reject them (Claude Code: over 25,000 tokens). Add a bound such as max_chars: int = 20000 and slice, or paginate.`,
        {},
      );
    }
  }
}

/** A SQL row bound in one of the tool's strings: LIMIT n, TOP n, FETCH FIRST n ROWS. */
const SQL_BOUND = /\b(?:LIMIT\s+(?:\d|%s|\?|:|\$|\{)|TOP\s*\(?\s*\d|FETCH\s+(?:FIRST|NEXT)\s+\d)/i;

function boundedQuery(py: PyFile, fn: FunctionFact): boolean {
  let found = false;
  walkBody(fn, (n) => {
    if (found) return false;
    if (n.type === 'string') {
      found = SQL_BOUND.test(py.text(n));
      return false;
    }
    return true;
  });
  return found;
}

/**
 * Whether the file a whole-file read returns is chosen by no tool argument: `f.read()` of
 * `with open(os.path.join(HERE, "guide.md")) as f`, `Path(__file__).with_name("schema.yaml").read_text()`.
 */
function fixedFile(py: PyFile, fn: FunctionFact, read: PyNode, assigned: Map<string, PyNode>): boolean {
  const params = new Set(fn.params.filter((p) => !py.isInjected(p)).map((p) => p.name));
  if (!params.size) return true;
  const callee = field(read, 'function');
  let source = callee?.type === 'attribute' ? field(callee, 'object') : undefined;
  if (!source) return false;
  if (source.type === 'identifier') {
    const name = py.text(source);
    // `with open(X) as f` in the tool: X is the file.
    let opened: PyNode | undefined;
    walkBody(fn, (n) => {
      if (n.type === 'as_pattern' && n.parent?.type === 'with_item') {
        const alias = field(n, 'alias');
        const target = alias ? (named(alias)[0] ?? alias) : undefined;
        if (target && py.text(target) === name) opened = named(n)[0];
      }
      return true;
    });
    source = opened ?? assigned.get(name) ?? source;
  }
  // Identifiers the path is built from, through the tool's own assignments (one level).
  const ids = new Set<string>();
  for (const id of identifiersIn(py, source)) {
    ids.add(id);
    const a = assigned.get(id);
    if (a) for (const x of identifiersIn(py, a)) ids.add(x);
  }
  return ![...ids].some((id) => params.has(id));
}

const DATAFRAME_MODULES = ['pandas', 'polars', 'modin', 'pyspark', 'dask'];

function unbounded(py: PyFile, v: PyNode): string | undefined {
  if (v.type !== 'call') return undefined;
  const fnNode = field(v, 'function');
  const q = py.callee(v) ?? '';
  const pos = py.positional(v);
  if (fnNode?.type === 'attribute') {
    const attr = py.text(field(fnNode, 'attribute')!);
    if (attr === 'read' && pos.length === 0 && !py.kwargs(v).size) return 'the whole file (.read())';
    if ((attr === 'read_text' || attr === 'read_bytes') && !/\[/.test(py.text(v))) return `the whole file (.${attr}())`;
    if (attr === 'fetchall') return 'every row (fetchall())';
    // Only with a dataframe library in the file: `.to_dict()` of an object of the project's own
    // class (a metrics summary) is as big as that class makes it.
    if (
      (attr === 'to_dict' ||
        attr === 'to_json' ||
        attr === 'to_csv' ||
        attr === 'to_markdown' ||
        attr === 'to_string') &&
      DATAFRAME_MODULES.some((m) => py.importsFrom(m))
    )
      return `a whole dataframe (.${attr}())`;
  }
  if (q === 'os.listdir' || q === 'os.walk') return `a full directory listing (${q}())`;
  if ((q === 'glob.glob' || /\.r?glob$/.test(py.text(fnNode!))) && pos[0] && /\*\*/.test(py.text(pos[0])))
    return 'a recursive glob listing';
  if (q === 'list' && pos[0]) return unbounded(py, pos[0]);
  return undefined;
}

// ---- MCP404 ----------------------------------------------------------------------------------

const CLIENTS =
  /^(httpx\.(Client|AsyncClient)|requests\.(Session|session)|aiohttp\.ClientSession|sqlite3\.connect|psycopg2?\.connect|pymysql\.connect|asyncpg\.connect|aiosqlite\.connect)$/;

/** MCP404: files, clients and connections opened per call and never closed. */
export function mcp404(py: PyFile): void {
  for (const d of py.tools) {
    const fn = d.fn;
    const body = py.text(fn.body);
    for (const call of py.callsIn(fn)) {
      const q = py.callee(call) ?? '';
      const isOpen = q === 'open' || q === 'io.open' || q === 'codecs.open';
      if (!isOpen && !CLIENTS.test(q)) continue;
      if (inWithItem(call) || isReturned(call)) continue;
      // `f = open(...)` ... `f.close()` / `await client.aclose()` in the same tool.
      const assign =
        call.parent?.type === 'assignment'
          ? field(call.parent, 'left')
          : call.parent?.type === 'await' && call.parent.parent?.type === 'assignment'
            ? field(call.parent.parent, 'left')
            : undefined;
      const varName = assign?.type === 'identifier' ? py.text(assign) : undefined;
      if (
        varName &&
        new RegExp(`\\b${varName}\\.(a?close|__exit__)\\s*\\(|with\\s+${varName}\\b|closing\\(\\s*${varName}\\b`).test(
          body,
        )
      )
        continue;
      if (!varName && isOpen && call.parent?.type !== 'assignment') {
        // json.load(open(p)): closed by refcounting in CPython only; still report.
      }
      const what = isOpen ? `${q}()` : `${q}()`;
      py.hit(
        'MCP404',
        call,
        `${what} on line ${py.line(call)} in tool '${d.def.name}' is ${isOpen ? 'opened' : 'created'} on every call and never closed: servers are long-lived, so file descriptors, sockets and memory accumulate until the process fails. ${isOpen ? 'Use `with open(..., encoding="utf-8") as f:`' : 'Use `with`/`async with`, or create it once in the lifespan and reuse it'}.`,
        {},
      );
    }
  }
}

function inWithItem(call: PyNode): boolean {
  for (let p = call.parent; p; p = p.parent) {
    if (p.type === 'with_item') return true;
    if (p.type === 'block' || p.type === 'function_definition') return false;
  }
  return false;
}

function isReturned(call: PyNode): boolean {
  return (
    call.parent?.type === 'return_statement' ||
    (call.parent?.type === 'await' && call.parent.parent?.type === 'return_statement')
  );
}
