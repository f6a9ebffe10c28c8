/** MCP502: tool input used as a filesystem path without a containment check. */
import { field, named, walk, type PyNode } from '../ast';
import type { PyFile } from '../context';
import type { FunctionFact } from '../functions';
import { toolBodies } from '../dispatchers';
import { argumentTaint, computeTaint, hasContainment, pathIdentifiers, type Taint } from './taint';
import { calleeOf, importsProjectModules, moduleCallables } from '../crossCalls';
import type { ModuleFacts } from '../../types';
import { documentsAnyPath } from '../../toolPurpose';
import { lastAssignments, walkBody } from './util';

// ---- MCP502 ----------------------------------------------------------------------------------

/** MCP502: tool input used as a filesystem path without a containment check. */
export function mcp502(py: PyFile): void {
  for (const d of toolBodies(py)) {
    if (hasContainment(py.text(d.fn.body))) continue;
    // Taint is computed only for tools that touch a path sink at all (most do not).
    let anySink = false;
    walkBody(d.fn, (n) => {
      if (!anySink && pathSinkArgs(py, n).length) anySink = true;
      return !anySink;
    });
    if (!anySink || !pathsMatter(py, d.fn)) continue;
    const t = toolTaint(py, d.fn);
    const reported = new Set<PyNode>();
    walkBody(d.fn, (n) => {
      const args = pathSinkArgs(py, n);
      if (!args.length) return true;
      const names = [...new Set(args.flatMap((a) => freshTaint(py, a, t)))];
      if (!names.length) return true;
      for (let p = n.parent; p; p = p.parent) if (reported.has(p)) return true;
      // A dispatcher's arguments are documented in the schemas of `list_tools`.
      if (d.dispatcher && documentedAnywhere(py, d.fn, args)) return true;
      reported.add(n);
      py.hit(
        'MCP502',
        n,
        `${describeSink(py, n)} on line ${py.line(n)} uses ${d.dispatcher ? `the caller's tool arguments (${names.map((x) => `'${x}'`).join(', ')}) in the tools/call dispatcher '${d.name}'` : `tool argument ${names.map((x) => `'${x}'`).join(', ')} of '${d.name}'`} as a path without checking that it stays inside the intended folder: "../" or an absolute path reads or writes anywhere (.env, SSH keys). Resolve it and check containment (resolved.is_relative_to(base)) before use.`,
        {},
      );
      return true;
    });
  }
}

/**
 * Whether the tool has a folder to keep its paths in: not when it runs its caller's shell commands
 * (it reaches any path by design), nor when its documentation (docstring, `Field(description=...)`
 * in its signature) says the path may be anywhere.
 */
function pathsMatter(py: PyFile, fn: FunctionFact): boolean {
  return !runsCallerCommand(py, fn) && !documentsAnyPath(`${fn.docstring ?? ''}\n${py.text(fn.paramsNode)}`);
}

/** Names holding a tool argument that can supply a whole path component (see `boundaryTaint`). */
function toolTaint(py: PyFile, fn: FunctionFact): Taint {
  const isSink = (n: PyNode, tainted: Set<string>) =>
    pathSinkArgs(py, n).some((a) => boundaryTaint(py, a, tainted).length > 0);
  return computeTaint(py, fn, isSink, (right, tainted) => boundaryTaint(py, right, tainted));
}

/**
 * Whether every argument a dispatcher's path sink reads (`arguments["pdf_path"]`,
 * `arguments.get("path")`, through one local assignment) is documented as a path that may be anywhere.
 */
function documentedAnywhere(py: PyFile, fn: FunctionFact, args: PyNode[]): boolean {
  const documented = anyPathArguments(py);
  if (!documented.size) return false;
  const assigned = lastAssignments(py, fn);
  const keys: string[] = [];
  let unknown = false;
  const read = (node: PyNode, depth: number) =>
    walk(node, (n) => {
      if (n.type === 'subscript') {
        const k = py.str(field(n, 'subscript'));
        if (k !== undefined) keys.push(k);
        return k === undefined;
      }
      if (n.type === 'call' && py.text(field(n, 'function')!).endsWith('.get')) {
        const k = py.str(py.positional(n)[0]);
        if (k !== undefined) keys.push(k);
        return k === undefined;
      }
      if (n.type === 'identifier' && n.field !== 'attribute') {
        const a = assigned.get(py.text(n));
        if (a && depth === 0) read(a, 1);
        else if (!a && fn.params.some((p) => p.name === py.text(n))) unknown = true;
      }
      return true;
    });
  for (const a of args) read(a, 0);
  return !unknown && keys.length > 0 && keys.every((k) => documented.has(k));
}

const anyPathCache = new WeakMap<PyFile, Set<string>>();

/**
 * Argument names whose every schema in the file documents a path that may be anywhere
 * (`"pdf_path": {"type": "string", "description": "Full path to the PDF file"}`): a low-level
 * server's tools are described in its `list_tools` handler, apart from the dispatcher.
 */
function anyPathArguments(py: PyFile): Set<string> {
  let out = anyPathCache.get(py);
  if (out) return out;
  const verdicts = new Map<string, boolean>();
  walk(py.root, (n) => {
    if (n.type !== 'pair') return true;
    const key = py.str(field(n, 'key'));
    const value = field(n, 'value');
    if (key === undefined || value?.type !== 'dictionary') return true;
    const description = named(value)
      .filter((p) => p.type === 'pair' && py.str(field(p, 'key')) === 'description')
      .map((p) => py.str(field(p, 'value')) ?? '')
      .join('\n');
    if (description) verdicts.set(key, (verdicts.get(key) ?? true) && documentsAnyPath(description));
    return true;
  });
  out = new Set([...verdicts].filter(([, v]) => v).map(([k]) => k));
  anyPathCache.set(py, out);
  return out;
}

/** Text a function needs for any path sink (a cheap filter before the taint analysis). */
const MAY_TOUCH_FILES =
  /\b(?:open|Path|PurePath|PosixPath|WindowsPath|os|shutil|send_file|send_from_directory|FileResponse|File|Image|Audio|Repo|git)\b|\w\s*\/\s*\w/;

/** A parameter that a function uses as a filesystem path unchecked: its position (after self/cls), name and the line of use. */
export interface PathParam {
  index: number;
  name: string;
  line: number;
}

/**
 * Module facts: the functions and methods of this module (keyed as other modules call them:
 * `read_file`, `Store.load`, `store.load`) that use a parameter as a filesystem path without a
 * containment check.
 */
export function pathParamFacts(py: PyFile): Record<string, PathParam[]> {
  const out: Record<string, PathParam[]> = {};
  for (const [key, { fn }] of moduleCallables(py)) {
    if (py.definitionOf(fn) || !MAY_TOUCH_FILES.test(py.text(fn.body))) continue;
    const params = fn.params.filter((p) => p.kind === 'plain' && p.name !== 'self' && p.name !== 'cls');
    const found = helperPathParams(py, fn, 0);
    if (found.length) out[key] = found.map((f) => ({ index: f.index, name: params[f.index].name, line: f.line }));
  }
  return out;
}

/**
 * Module facts: calls that tools make into other modules with a tool argument that can supply a
 * whole path component, as MCP502 hits still without a message; the project model keeps those
 * whose callee uses that argument as a path unchecked (`pathParams` of the defining module).
 */
export function importedPathCalls(py: PyFile): NonNullable<ModuleFacts['pathCalls']> {
  const out: NonNullable<ModuleFacts['pathCalls']> = [];
  if (!importsProjectModules(py)) return out;
  for (const d of toolBodies(py)) {
    const calls = py.callsIn(d.fn).flatMap((c) => {
      const callee = calleeOf(py, c, d.fn);
      return callee && 'imported' in callee ? [{ c, ref: callee.imported }] : [];
    });
    if (!calls.length || hasContainment(py.text(d.fn.body)) || !pathsMatter(py, d.fn)) continue;
    const t = toolTaint(py, d.fn);
    for (const { c, ref } of calls) {
      const pos = py.positional(c).map((a) => freshTaint(py, a, t));
      const kw: Record<string, string[]> = {};
      for (const [k, v] of py.kwargs(c)) {
        const names = freshTaint(py, v, t);
        if (names.length) kw[k] = names;
      }
      if (!pos.some((p) => p.length) && !Object.keys(kw).length) continue;
      out.push({
        hit: { ruleId: 'MCP502', range: py.range(c), message: '' },
        via: {
          tool: d.mention,
          display: py.text(field(c, 'function')!),
          line: py.line(c),
          name: ref.name,
          ...(ref.member ? { member: ref.member } : {}),
          pos,
          kw,
        },
      });
    }
  }
  return out;
}

const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:ba|z|da|k)?sh$/;

/**
 * Whether a tool runs a shell command its caller writes (`subprocess.run(command, shell=True)`,
 * `create_subprocess_exec("bash", "-c", command)`, `os.system(command)`): such a tool reads and
 * writes any path by design, so checking that a path argument stays in a folder protects nothing.
 */
function runsCallerCommand(py: PyFile, fn: FunctionFact): boolean {
  let t: Set<string> | undefined;
  const tainted = (n: PyNode | undefined) =>
    n?.type === 'identifier' && (t ??= argumentTaint(py, fn).tainted).has(py.text(n));
  return py.callsIn(fn).some((c) => {
    const q = py.callee(c) ?? '';
    const pos = py.positional(c);
    if (/^(os\.system|os\.popen|asyncio\.create_subprocess_shell|subprocess\.getoutput)$/.test(q))
      return tainted(pos[0]);
    if (/^subprocess\.(run|call|check_call|check_output|Popen)$/.test(q)) {
      if (py.isTrue(py.kwargs(c).get('shell'))) return tainted(pos[0] ?? py.kwargs(c).get('args'));
      const argv = pos[0]?.type === 'list' ? named(pos[0]) : [];
      return SHELLS.test(py.str(argv[0]) ?? '') && py.str(argv[1]) === '-c' && tainted(argv[2]);
    }
    if (q === 'asyncio.create_subprocess_exec')
      return SHELLS.test(py.str(pos[0]) ?? '') && py.str(pos[1]) === '-c' && tainted(pos[2]);
    return false;
  });
}

const PATH_DIR_NAME = /(dir|root|path|base|folder|home)$/i;

/** Path attributes and methods that only compute names: `Path(p).suffix` touches no file. */
const PURE_PATH_ATTRS =
  /^(name|suffix|suffixes|stem|parent|parents|parts|anchor|drive|root|as_posix|as_uri|with_suffix|with_name|with_stem|is_absolute|is_relative_to|relative_to|match|full_match)$/;

/** Helper functions whose parameters reach a path sink (by parameter index), per file. */
const helperCache = new WeakMap<PyFile, Map<FunctionFact, { index: number; line: number }[]>>();

/**
 * The parameters of a module-level helper (not a tool) that it uses as a filesystem path without
 * a containment check, e.g. `def get_excel_path(name): return os.path.join(BASE, name)`.
 */
function helperPathParams(py: PyFile, fn: FunctionFact, depth: number): { index: number; line: number }[] {
  let cache = helperCache.get(py);
  if (!cache) helperCache.set(py, (cache = new Map()));
  const hit = cache.get(fn);
  if (hit) return hit;
  cache.set(fn, []); // recursion guard
  const out: { index: number; line: number }[] = [];
  if (!hasContainment(py.text(fn.body)) && !py.definitionOf(fn)) {
    const params = fn.params.filter((p) => p.kind === 'plain' && p.name !== 'self' && p.name !== 'cls');
    const t = computeTaint(
      py,
      fn,
      () => false,
      (right, tainted) => boundaryTaint(py, right, tainted),
    );
    walkBody(fn, (n) => {
      const args = pathSinkArgs(py, n, depth + 1);
      for (const a of args)
        for (const id of boundaryTaint(py, a, t.tainted)) {
          const i = params.findIndex((p) => p.name === id);
          if (i >= 0 && t.tainted.has(id) && !out.some((o) => o.index === i)) out.push({ index: i, line: py.line(n) });
        }
      return true;
    });
  }
  cache.set(fn, out);
  return out;
}

/** Arguments of a node that end up as a filesystem path, if it is a path sink. */
function pathSinkArgs(py: PyFile, n: PyNode, depth = 0): PyNode[] {
  if (n.type === 'call') {
    const q = py.callee(n) ?? '';
    const pos = py.positional(n);
    if (q === 'open' || q === 'io.open' || q === 'codecs.open')
      return pos.slice(0, 1).concat(py.kwargs(n).get('file') ?? []);
    if (/^(pathlib\.)?(Pure)?(Path|PosixPath|WindowsPath)$/.test(q)) {
      // `Path(p).suffix`, `Path(p).name`: a name computation, not file access.
      const up = n.parent;
      if (
        up?.type === 'attribute' &&
        field(up, 'object') === n &&
        PURE_PATH_ATTRS.test(py.text(field(up, 'attribute')!))
      )
        return [];
      return pos;
    }
    // fastmcp / mcp `File(path=...)`, `Image(path=...)`, `Audio(path=...)` read the file when sent.
    if (
      /(^|\.)utilities\.types\.(File|Image|Audio)$|^(fastmcp|mcp\.server\.(fastmcp|mcpserver))(\.\w+)*\.(File|Image|Audio)$/.test(
        q,
      )
    )
      return (py.kwargs(n).get('path') ? [py.kwargs(n).get('path')!] : []).concat(pos.slice(0, 1));
    // A helper in this file that uses one of its parameters as a path.
    const fnNode = field(n, 'function');
    if (fnNode?.type === 'identifier' && depth < 2) {
      const helper = py.moduleFunctions.get(py.text(fnNode));
      if (helper) {
        const params = helperPathParams(py, helper, depth);
        if (params.length) return params.flatMap((p) => (pos[p.index] ? [pos[p.index]] : []));
      }
    }
    if (
      q === 'os.path.join' ||
      /^shutil\./.test(q) ||
      /^os\.(remove|unlink|rmdir|makedirs|mkdir|rename|listdir|scandir|stat)$/.test(q)
    )
      return pos;
    if (/(^|\.)(send_file|FileResponse|send_from_directory)$/.test(q)) return pos.slice(0, 2);
    // GitPython opens (or creates, with mkdir=True) a repository at the caller's path.
    if (q === 'git.Repo' || q === 'git.Repo.init' || q === 'git.repo.Repo' || q === 'git.repo.base.Repo')
      return pos.slice(0, 1).concat(py.kwargs(n).get('path') ?? []);
    if (q === 'git.Repo.clone_from') return pos.slice(1, 2).concat(py.kwargs(n).get('to_path') ?? []);
    return [];
  }
  if (n.type === 'binary_operator' && n.children.some((c) => !c.named && c.type === '/')) {
    const left = field(n, 'left');
    const right = field(n, 'right');
    if (!left || !right) return [];
    const pathy = (x: PyNode) =>
      (x.type === 'call' && /(^|\.)Path$/.test(py.callee(x) ?? '')) ||
      (x.type === 'identifier' &&
        (PATH_DIR_NAME.test(py.text(x)) || /Path\(/.test(py.text(py.moduleAssignments.get(py.text(x)) ?? x)))) ||
      (x.type === 'attribute' && PATH_DIR_NAME.test(py.text(x))) ||
      (x.type === 'binary_operator' && pathSinkArgs(py, x).length > 0);
    if (pathy(left)) return [right];
    return [];
  }
  return [];
}

/** Calls whose positional arguments are path components, each starting a new one. */
const JOIN_CALL = /^(os\.path\.join|posixpath\.join|ntpath\.join|(pathlib\.)?(Pure)?(Path|PosixPath|WindowsPath))$/;

/**
 * The tainted names in a path expression that can supply a whole leading path component (or the
 * whole path): only those can walk out of the folder. `base / name`, `os.path.join(base, name)`,
 * `f"{base}/{name}"` and `name` itself can; `base / f"create_{name}.json"` and
 * `"report_" + name` cannot: the value sits after a fixed prefix inside one component, so "../"
 * or "/" in it makes the OS resolve a directory named `create_..` that does not exist, and no
 * absolute path can be formed. The expression is read left to right, tracking whether the next
 * piece starts a component (at the start, after a literal ending in a separator, after an
 * argument of a join, or after a value whose text is unknown); a form it does not model (a call,
 * `%` or `.format()`) passes every tainted name it mentions when it may start a component.
 */
function boundaryTaint(py: PyFile, expr: PyNode, tainted: Set<string>): string[] {
  const out = new Set<string>();
  const opaque = (n: PyNode, atStart: boolean): boolean => {
    // A value passed through a containment helper of the file (`safe(p)`) is clean.
    const ids = pathIdentifiers(py, n).filter((i) => tainted.has(i));
    if (atStart) for (const i of ids) out.add(i);
    // A value of unknown text may end in a separator; a tainted one inside a fixed component
    // keeps the walk inside that component's (non-existent) directory.
    return atStart || !ids.length;
  };
  const seq = (n: PyNode, atStart: boolean): boolean => {
    switch (n.type) {
      case 'parenthesized_expression': {
        const inner = named(n)[0];
        return inner ? seq(inner, atStart) : atStart;
      }
      case 'concatenated_string':
        return named(n).reduce((at, c) => seq(c, at), atStart);
      case 'string': {
        let at = atStart;
        for (const c of n.children) {
          if (c.type === 'string_content' || c.type === 'escape_sequence') {
            const text = py.text(c);
            if (text) at = /[\\/]$/.test(text);
          } else if (c.type === 'interpolation') {
            const e = field(c, 'expression');
            if (e) at = seq(e, at);
          }
        }
        return at;
      }
      case 'binary_operator': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        const op = n.children.find((c) => !c.named)?.type;
        if (!left || !right) return opaque(n, atStart);
        if (op === '/') return seq(right, (seq(left, atStart), true));
        if (op === '+') return seq(right, seq(left, atStart));
        return opaque(n, atStart);
      }
      case 'call': {
        if (!JOIN_CALL.test(py.callee(n) ?? '')) return opaque(n, atStart);
        const args = py.positional(n);
        if (!args.length) return opaque(n, atStart);
        // The first argument sits where the call does; each later one starts a component.
        return args.reduce((at, a, i) => seq(a, i === 0 ? at : true), atStart);
      }
      default:
        return opaque(n, atStart);
    }
  };
  seq(expr, true);
  return [...out];
}

/**
 * Tainted names a path expression lets the caller supply at a component boundary that did not
 * come out of an already reported sink.
 */
function freshTaint(py: PyFile, node: PyNode | undefined, t: Taint): string[] {
  if (!node) return [];
  return boundaryTaint(py, node, t.tainted).filter((i) => !t.viaSink.has(i));
}

function describeSink(py: PyFile, n: PyNode): string {
  if (n.type === 'call') {
    const fnNode = field(n, 'function')!;
    const helper = fnNode.type === 'identifier' ? py.moduleFunctions.get(py.text(fnNode)) : undefined;
    const params = helper ? helperPathParams(py, helper, 0) : [];
    if (params.length)
      return `${py.text(fnNode)}() (which uses it as a path on line ${params[0].line} without a containment check)`;
    return `${py.text(fnNode)}()`;
  }
  return `The path expression ${py.text(n).slice(0, 60)}`;
}
