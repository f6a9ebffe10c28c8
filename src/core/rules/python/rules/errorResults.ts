/** MCP705: failures returned as ordinary (successful) results. */
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { ensureFromImport, fix, fixes, replaceNode } from '../fixes';
import { forEachBroadHandler } from './security';
import { isStringish } from './serialization';
import { identifiersIn, returnsOf } from './util';
import { type Dispatcher, dispatchersOf, toolBodies } from '../dispatchers';
import { isDiagnosticTool } from '../../toolPurpose';

export function mcp705(py: PyFile): void {
  for (const d of py.tools) {
    // A connection test or status check answers with the failure it found.
    if (isDiagnosticTool(d.def.name)) continue;
    const importFrom = d.server.framework === 'fastmcp' ? 'fastmcp.exceptions' : 'mcp.server.fastmcp.exceptions';
    forEachHandlerReturn(py, d.fn, (n, returned, errName, resolve) => {
      const v = resolve(returned);
      const helper = helperCall(py, v);
      // `[TextContent(text=f"Request error: {e}")]`: the content's text is the result.
      const texts = resultTexts(py, v);
      if (helper) {
        // `return error_response(f"failed: {e}")`: what the helper returns is the tool's result.
        const passes = helper.values.some((x) => identifiersIn(py, x).some((id) => helper.params.includes(id)));
        const erring =
          helper.values.every((x) => looksLikeError(py, unwrapDumps(py, x))) ||
          (passes && helper.args.some((a) => looksLikeError(py, a) || mentions(py, a, errName)));
        if (!erring) return;
      } else if (texts) {
        if (!textsFail(py, texts.map(resolve), errName)) return;
      } else if (!looksLikeError(py, unwrapDumps(py, v))) return; // `json.dumps({"error": ...})` reads as the object
      const stringy = !helper && isStringish(py, v);
      py.hit(
        'MCP705',
        n,
        `Tool '${d.def.name}' reports a failure as a normal result on line ${py.line(n)}${helper ? ` (built by ${helper.name}())` : ''}: the client receives isError: false, so the model treats the error text as data and does not retry or change course. Raise ToolError(...) instead.`,
        {
          fixes: stringy
            ? fixes(
                fix(
                  'Raise ToolError instead',
                  replaceNode(py, n, `raise ToolError(${py.text(returned)})`),
                  [ensureFromImport(py, importFrom, 'ToolError')],
                  true,
                ),
              )
            : undefined,
        },
      );
    });
  }
  for (const d of dispatchersOf(py)) dispatcherErrors(py, d);
  passedErrors(py);
  decoratorErrors(py);
}

/**
 * MCP705 in a decorator of the module that wraps tools (`@authenticated_tool`): its wrapper's
 * except handler returns an error value (`return {"error": str(e)}`), so every failure of every
 * tool it wraps reaches the client as a normal result. Reported once, at that return.
 */
function decoratorErrors(py: PyFile): void {
  const wrapped = new Map<FunctionFact, string[]>();
  for (const d of py.tools) {
    if (!d.fn.decorated || isDiagnosticTool(d.def.name)) continue;
    for (const dec of named(d.fn.decorated)) {
      if (dec.type !== 'decorator') continue;
      const e = named(dec)[0];
      const ref = e?.type === 'call' ? field(e, 'function') : e;
      const deco = ref?.type === 'identifier' ? py.moduleFunctions.get(py.text(ref)) : undefined;
      if (deco && deco !== d.fn) wrapped.set(deco, [...(wrapped.get(deco) ?? []), d.def.name]);
    }
  }
  for (const [deco, tools] of wrapped) {
    const inner = py.functions.filter(
      (f) => f !== deco && deco.body.start <= f.node.start && f.node.end <= deco.body.end,
    );
    for (const w of inner)
      forEachHandlerReturn(py, w, (n, v, _err, resolve) => {
        if (!looksLikeError(py, unwrapDumps(py, resolve(v)))) return;
        const names =
          tools
            .slice(0, 3)
            .map((t) => `'${t}'`)
            .join(', ') + (tools.length > 3 ? ` and ${tools.length - 3} more` : '');
        py.hit(
          'MCP705',
          n,
          `@${deco.name} turns every failure of the tools it wraps (${names}) into a normal result on line ${py.line(n)}: the client receives isError: false, so the model treats the error text as data and does not retry or change course. Log and re-raise (or raise ToolError(...)) instead of returning the error.`,
          {},
        );
      });
  }
}

/**
 * MCP705 through a function of the module: a tool (or a mcp 1.x dispatcher) returns what the
 * function returned (`result = get_pdf_metadata(path)` … `return [TextContent(text=json.dumps(result))]`),
 * and the function answers its own failures with an error value in an except handler
 * (`except Exception as e: return {"error": str(e)}`). Reported once, at the function's return.
 */
function passedErrors(py: PyFile): void {
  const bodies = toolBodies(py).filter(
    (b) => (!b.dispatcher || b.dispatcher.style === 'decorator') && !isDiagnosticTool(b.name),
  );
  const reported = new Set<PyNode>();
  for (const b of bodies) {
    for (const { helper, line } of returnedHelpers(py, b.fn)) {
      forEachHandlerReturn(py, helper, (n, v, _err, resolve) => {
        if (reported.has(n) || !looksLikeError(py, unwrapDumps(py, resolve(v)))) return;
        reported.add(n);
        py.hit(
          'MCP705',
          n,
          `${helper.name}() reports a failure as a normal value on line ${py.line(n)}, and ${b.dispatcher ? b.mention : `tool ${b.mention}`} returns what it gives as its result (line ${line}): the client receives isError: false, so the model treats the error text as data and does not retry or change course. Let the exception propagate (or raise ToolError(...)) instead of returning it.`,
          {},
        );
      });
    }
  }
}

/** Whether `fn` looks at the error in `name` (`"error" in result`, `result.get("error")`, `result["error"]`). */
function checksError(py: PyFile, fn: FunctionFact, name: string): boolean {
  let found = false;
  walk(fn.body, (n) => {
    if (found) return false;
    const key =
      n.type === 'comparison_operator' && py.text(named(n)[1] ?? n) === name
        ? named(n)[0]
        : n.type === 'subscript' && py.text(field(n, 'value')!) === name
          ? field(n, 'subscript')
          : n.type === 'call' && py.text(field(n, 'function')!) === `${name}.get`
            ? py.positional(n)[0]
            : undefined;
    if (key && /^(error|errors|ok|success)$/.test(py.str(key) ?? '')) found = true;
    return true;
  });
  return found;
}

/**
 * Functions of the module whose value `fn` returns: called inside a returned expression, or
 * assigned to a name a return reads (`result = helper(x)` … `return json.dumps(result)`), with the
 * line of that return.
 */
function returnedHelpers(py: PyFile, fn: FunctionFact): { helper: FunctionFact; line: number }[] {
  const rets = returnsOf(fn).filter((r) => r.value);
  if (!rets.length) return [];
  const out = new Map<FunctionFact, number>();
  for (const call of py.callsIn(fn)) {
    const target = field(call, 'function');
    const helper = target?.type === 'identifier' ? py.moduleFunctions.get(py.text(target)) : undefined;
    if (!helper || helper === fn || py.definitionOf(helper) || out.has(helper)) continue;
    let at = call.parent?.type === 'await' ? call.parent : call;
    const inReturn = rets.find((r) => r.value!.start <= at.start && at.end <= r.value!.end);
    if (inReturn) {
      out.set(helper, py.line(inReturn.stmt));
      continue;
    }
    at = at.parent?.type === 'assignment' && field(at.parent, 'right') === at ? at.parent : at;
    const left = at.type === 'assignment' ? field(at, 'left') : undefined;
    if (left?.type !== 'identifier') continue;
    const name = py.text(left);
    const reads = rets.find((r) => r.stmt.start > at.end && identifiersIn(py, r.value!).includes(name));
    if (reads && !checksError(py, fn, name)) out.set(helper, py.line(reads.stmt));
  }
  return [...out].map(([helper, line]) => ({ helper, line }));
}

/**
 * MCP705 in a low-level dispatcher: an except handler that returns content (`[TextContent(...)]`,
 * or a `CallToolResult` without isError=True) carrying an error text or the caught exception.
 * mcp 1.x's `@server.call_tool()` wraps a returned list as CallToolResult(isError=False); mcp 2.x
 * sends a returned CallToolResult as it is (is_error defaults to False).
 */
function dispatcherErrors(py: PyFile, d: Dispatcher): void {
  forEachHandlerReturn(py, d.fn, (n, v, errName, resolve) => {
    // mcp 2.3 answers a bare list from on_call_tool with a JSON-RPC error ("handler returned
    // list; expected BaseModel, dict, or None"), not with a result: only CallToolResult counts.
    if (d.style === 'handler' && v.type === 'list') return;
    let texts = resultTexts(py, v);
    // `return _err(f"API error: {exc}")`: a helper that builds the content from its argument.
    const helper = texts ? undefined : helperCall(py, v);
    let args: PyNode[] = [];
    if (helper) {
      const each = helper.values.map((x) => resultTexts(py, x));
      if (each.some((t) => !t)) return;
      texts = each.flat() as PyNode[];
      args = helper.args;
    }
    if (!texts) return;
    if (helper && d.style === 'handler' && helper.values.some((x) => x.type === 'list')) return;
    const failing =
      textsFail(py, texts.map(resolve), errName) || args.some((a) => looksLikeError(py, a) || mentions(py, a, errName));
    if (!failing) return;
    const flag = d.style === 'handler' ? 'is_error' : 'isError';
    const how =
      d.style === 'decorator'
        ? `@${d.server}.call_tool() (mcp 1.x) wraps the returned content as a result with isError: false`
        : `on_call_tool (mcp 2.x) sends the CallToolResult as it is, and is_error defaults to False`;
    py.hit(
      'MCP705',
      n,
      `The tools/call dispatcher '${d.fn.name}' reports a failure as a normal result on line ${py.line(n)}${helper ? ` (built by ${helper.name}())` : ''}: ${how}, so the model treats the error text as data and does not retry or change course. Return CallToolResult(content=[...], ${flag}=True)${d.style === 'decorator' ? ' or let the exception propagate (the decorator turns it into an isError result)' : ''}.`,
      {},
    );
  });
}

/**
 * A returned call of a module-level helper that builds the result (`_err(str(exc))`,
 * `error_response(message)`): its parameters, every value it returns, and the call's arguments.
 */
function helperCall(
  py: PyFile,
  v: PyNode,
): { name: string; params: string[]; values: PyNode[]; args: PyNode[] } | undefined {
  if (v.type !== 'call') return undefined;
  const f = field(v, 'function');
  const helper = f?.type === 'identifier' ? py.moduleFunctions.get(py.text(f)) : undefined;
  if (!helper || helper.isAsync) return undefined;
  const rets = returnsOf(helper);
  if (!rets.length || rets.length > 10 || rets.some((r) => !r.value)) return undefined;
  return {
    name: helper.name,
    params: helper.params.map((p) => p.name),
    values: rets.map((r) => r.value!),
    args: named(py.args(v)).filter((a) => a.type !== 'comment'),
  };
}

/** Whether a result's texts read as an error (also as `json.dumps({"error": ...})`) or carry the caught exception. */
function textsFail(py: PyFile, texts: PyNode[], errName: string | undefined): boolean {
  return texts.some((t) => looksLikeError(py, unwrapDumps(py, t)) || mentions(py, t, errName));
}

/** `json.dumps(x, ...)` is the text of `x`. */
function unwrapDumps(py: PyFile, t: PyNode): PyNode {
  return t.type === 'call' && py.callee(t) === 'json.dumps' ? (py.positional(t)[0] ?? t) : t;
}

function mentions(py: PyFile, n: PyNode, name: string | undefined): boolean {
  return !!name && identifiersIn(py, n).includes(name);
}

/**
 * Each `return` with a value in the except handlers of `fn` (not in functions nested there), with
 * the value and the handler's exception name.
 */
function forEachHandlerReturn(
  py: PyFile,
  fn: FunctionFact,
  visit: (ret: PyNode, value: PyNode, errName: string | undefined, resolve: (n: PyNode) => PyNode) => void,
): void {
  forEachBroadHandler(py, fn, (clause, errName) => {
    const block = named(clause).find((c) => c.type === 'block');
    if (!block) return;
    walk(block, (n) => {
      if (n.type === 'function_definition' || n.type === 'lambda') return false;
      if (n.type !== 'return_statement') return true;
      const v = named(n)[0];
      const ret = n;
      // `error_msg = f"Error: {e}"` earlier in the handler: the name stands for that text.
      const resolve = (x: PyNode): PyNode => {
        if (x.type !== 'identifier') return x;
        let value: PyNode | undefined;
        walk(block, (a) => {
          if (a.start >= ret.start || a.type === 'function_definition' || a.type === 'lambda') return false;
          if (
            a.type === 'assignment' &&
            field(a, 'left')?.type === 'identifier' &&
            py.text(field(a, 'left')!) === py.text(x)
          )
            value = field(a, 'right') ?? value;
          return true;
        });
        return value ?? x;
      };
      if (v) visit(n, v, errName, resolve);
      return false;
    });
  });
}

/**
 * The text expressions of a returned tool result: `[TextContent(text=...)]` (a bare list, as
 * mcp 1.x dispatchers return) or `CallToolResult(content=[...])` without isError=True.
 * Undefined when the value is not such a result (or is already marked as an error).
 */
function resultTexts(py: PyFile, v: PyNode): PyNode[] | undefined {
  let list: PyNode | undefined = v;
  if (v.type === 'call' && /(^|\.)CallToolResult$/.test(py.callee(v) ?? '')) {
    const kw = py.kwargs(v);
    const flag = kw.get('isError') ?? kw.get('is_error');
    if (flag && flag.type !== 'false') return undefined;
    list = kw.get('content') ?? py.positional(v)[0];
  }
  if (list?.type !== 'list') return undefined;
  const out: PyNode[] = [];
  for (const el of named(list)) {
    if (el.type !== 'call' || !/(^|\.)TextContent$/.test(py.callee(el) ?? '')) return undefined;
    const text = py.kwargs(el).get('text');
    if (text) out.push(text);
  }
  return out.length ? out : undefined;
}

/** Text that says a call failed: "Error: ...", "Failed to ...", "... is currently unavailable", "Could not ...". */
const ERROR_WORDS =
  /^\s*(?:error|failed|failure|exception|could not|couldn't|cannot|can't|unable to)\b|\berror\b|\b(?:is|are)(?: currently)? unavailable\b/i;

function looksLikeError(py: PyFile, v: PyNode): boolean {
  // `return DB_ERROR_MESSAGE`: a module constant's text.
  if (v.type === 'identifier') {
    const text = py.constStr(v);
    return text !== undefined && ERROR_WORDS.test(text);
  }
  if (v.type === 'string' || v.type === 'concatenated_string' || v.type === 'binary_operator') {
    const firstText = firstStringText(py, v);
    return firstText !== undefined && ERROR_WORDS.test(firstText);
  }
  if (v.type === 'dictionary') {
    for (const pair of named(v)) {
      if (pair.type !== 'pair') continue;
      const k = py.str(field(pair, 'key'));
      const val = field(pair, 'value');
      if (k === 'error' || k === 'errors') return true;
      if ((k === 'success' || k === 'ok') && val?.type === 'false') return true;
      // `{"status": "error", "message": str(e)}`
      if (k === 'status' && /^(error|failed|failure)$/i.test(py.str(val) ?? '')) return true;
    }
  }
  return false;
}

function firstStringText(py: PyFile, v: PyNode): string | undefined {
  let out: string | undefined;
  walk(v, (n) => {
    if (out !== undefined) return false;
    if (n.type === 'string') {
      out = n.children
        .filter((c) => c.type === 'string_content')
        .map((c) => py.text(c))
        .join(' ');
      return false;
    }
    return true;
  });
  return out;
}
