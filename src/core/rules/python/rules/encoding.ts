/** MCP209: text I/O that depends on the platform's default encoding. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { field, named, type PyNode, walk } from '../ast';
import type { PyFile } from '../context';
import { addKeyword, fix, fixes } from '../fixes';
import { isBelow, lowerBound } from '../../project/versions';
import { serveReach } from '../flow';
import { catchingHandler } from './util';

// ---- MCP209 ----------------------------------------------------------------------------------

/**
 * Whether the project runs only as a Linux container image: a Dockerfile in its root, not built
 * from a Windows base, and no Python package manifest a user could install it from
 * (`pyproject.toml`, `setup.py`, `requirements*.txt`, a lockfile): the dependencies are installed in
 * the image. The platform's default encoding there is UTF-8 (python images set LANG=C.UTF-8).
 */
function runsOnlyInLinuxImage(py: PyFile): boolean {
  const d = py.project.deployment.dockerfile;
  if (!d || d.includes('\n')) return false;
  const docker = path.isAbsolute(d) ? d : path.join(py.project.root, d);
  if (path.dirname(docker) !== path.resolve(py.project.root)) return false;
  const files = (py.project.files ?? []).map((f) => path.basename(f));
  if (files.some((f) => /^(pyproject\.toml|uv\.lock|poetry\.lock|requirements.*\.txt)$/i.test(f))) return false;
  if (['setup.py', 'setup.cfg', 'Pipfile'].some((f) => fs.existsSync(path.join(py.project.root, f)))) return false;
  try {
    return !/^[ \t]*FROM[ \t]+\S*(?:windows|nanoserver)/im.test(fs.readFileSync(docker, 'utf8').slice(0, 100_000));
  } catch {
    return false;
  }
}

/** Keywords `subprocess.run` / `check_output` / `Popen` accept (Python 3.8-3.14). */
const POPEN_KEYWORDS = new Set([
  'args',
  'bufsize',
  'executable',
  'stdin',
  'stdout',
  'stderr',
  'preexec_fn',
  'close_fds',
  'shell',
  'cwd',
  'env',
  'universal_newlines',
  'startupinfo',
  'creationflags',
  'restore_signals',
  'start_new_session',
  'pass_fds',
  'user',
  'group',
  'extra_groups',
  'umask',
  'encoding',
  'errors',
  'text',
  'pipesize',
  'process_group',
  'input',
  'capture_output',
  'timeout',
  'check',
]);

/** MCP209: text I/O that depends on the platform's default encoding. */
export function mcp209(py: PyFile): void {
  // Python 3.15 reads and writes UTF-8 by default (PEP 686): a project that requires it is safe.
  const floor = lowerBound(py.project.runtime.python);
  if (floor && !isBelow(floor, '3.15')) return;
  if (runsOnlyInLinuxImage(py)) return;
  // A file that only drives its servers in-process (a demo, a test script) is not a server
  // process: outside tool handlers its file I/O is ordinary script code.
  const drivenOnly =
    (py.servers.length > 0 && py.servers.every((s) => s.inProcess && !s.starts.length)) ||
    // A client script (`Client(config)`, `ClientSession(...)` against a server elsewhere) that
    // defines no server and no tool is not a server process either.
    (py.servers.length === 0 &&
      py.definitions.length === 0 &&
      py.calls.some((c) =>
        /^(?:fastmcp(?:\.client)?\.Client|mcp(?:\.client\.session)?\.ClientSession)$/.test(py.callee(c) ?? ''),
      ));
  for (const call of py.calls) {
    const q = py.callee(call);
    const fnNode = field(call, 'function');
    if (!fnNode) continue;
    if (py.hasSplat(call)) continue;
    const kw = py.kwargs(call);
    if (kw.has('encoding')) continue;
    const pos = py.positional(call);
    let what: string | undefined;
    if (q === 'open' || q === 'io.open' || q === 'codecs.open') {
      const mode = kw.get('mode') ?? pos[1];
      if (mode && py.str(mode) === undefined) continue;
      if (mode && /b/.test(py.str(mode)!)) continue;
      if (q === 'codecs.open' && pos.length >= 3) continue;
      if (q !== 'codecs.open' && pos.length >= 4) continue; // encoding passed positionally
      // json.dump writes ASCII unless ensure_ascii=False: any platform encoding round-trips it.
      if (mode && /[wax]/.test(py.str(mode)!) && onlyAsciiJsonWrites(py, call)) continue;
      what = `${q}()`;
    } else if (fnNode.type === 'attribute') {
      const attr = py.text(field(fnNode, 'attribute')!);
      const recv = field(fnNode, 'object')!;
      if (attr === 'read_text' && pos.length === 0) what = '.read_text()';
      else if (attr === 'write_text' && pos.length <= 1 && !isAsciiJson(py, pos[0] ?? kw.get('data')))
        what = '.write_text()';
      else if (attr === 'open' && /(^|\W)Path\(/.test(py.text(recv)) && pos.length <= 2) {
        const mode = kw.get('mode') ?? pos[0];
        if (mode && (py.str(mode) === undefined || /b/.test(py.str(mode)!))) continue;
        what = 'Path.open()';
      } else if (
        /^subprocess\.(run|check_output|Popen)$/.test(q ?? '') &&
        (py.isTrue(kw.get('text')) || py.isTrue(kw.get('universal_newlines')))
      ) {
        // Native Windows tools (netstat, tasklist) write in the console's code page, which the
        // platform default decodes: encoding="utf-8" would be the bug there.
        if (windowsOnly(py, call)) continue;
        // A keyword Popen does not take (`command=`) raises TypeError before any output is decoded.
        if ([...kw.keys()].some((k) => !POPEN_KEYWORDS.has(k))) continue;
        what = `${q}(text=True)`;
      }
    }
    if (!what) continue;
    const fn = py.enclosingFunction(call);
    const tool = fn ? py.definitionOf(fn) : undefined;
    if (!tool && drivenOnly) continue;
    const via = !tool && fn ? py.handlerReaching(fn) : undefined;
    // An `except ValueError` (or wider) around the read turns the error into its fallback.
    const caughtAt = catchingHandler(py, call, [
      'ValueError',
      'UnicodeError',
      'UnicodeDecodeError',
      'UnicodeEncodeError',
    ]);
    const effect = caughtAt
      ? `there, which the except on line ${caughtAt} catches: the ${what.startsWith('subprocess') ? "command's output" : "file's content"} is silently lost`
      : tool
        ? `there, and the call to ${tool.def.kind} '${tool.def.name}' fails`
        : via
          ? `there, and the call to ${via.def.kind} '${via.def.name}' (which calls ${fn!.name}()) fails`
          : // Startup code kills the server only on a path that goes on to serve: not in a
            // `__main__` branch that writes files and exits (`--write-schemas`), nor in a CLI command.
            (!fn || py.startupFunctions().has(fn)) && serveReach(py, call).may
            ? 'there, and at startup that kills the server'
            : 'there';
    py.hit(
      'MCP209',
      call,
      `${what} on line ${py.line(call)} has no encoding=, so it uses the platform default (cp1252 and friends on Windows before Python 3.15): UTF-8 content raises UnicodeDecodeError/UnicodeEncodeError ${effect}. Pass encoding="utf-8".`,
      {
        fixes: fixes(fix('Add encoding="utf-8"', addKeyword(py, call, 'encoding="utf-8"'), [], true)),
      },
    );
  }
}

/** Whether a node runs only on Windows: inside `if os.name == "nt"` (or `sys.platform == "win32"`, `platform.system() == "Windows"`). */
function windowsOnly(py: PyFile, node: PyNode): boolean {
  const holdsWindows = (c: PyNode | undefined): boolean => {
    if (!c) return false;
    if (c.type === 'parenthesized_expression') return holdsWindows(named(c)[0]);
    if (c.type === 'boolean_operator')
      return (
        py.text(field(c, 'operator')!) === 'and' && (holdsWindows(field(c, 'left')) || holdsWindows(field(c, 'right')))
      );
    if (c.type === 'call') {
      // sys.platform.startswith("win")
      const f = field(c, 'function');
      return (
        f?.type === 'attribute' &&
        py.text(field(f, 'attribute')!) === 'startswith' &&
        py.qualify(field(f, 'object')) === 'sys.platform' &&
        py.str(py.positional(c)[0]) === 'win'
      );
    }
    if (c.type !== 'comparison_operator') return false;
    const [left, right] = named(c);
    const op = c.children.find((x) => !x.named)?.type;
    if (op !== '==' || !left || !right) return false;
    const subject = left.type === 'call' ? `${py.qualify(field(left, 'function')) ?? ''}()` : (py.qualify(left) ?? '');
    const value = py.str(right);
    return (
      (subject === 'os.name' && value === 'nt') ||
      (subject === 'sys.platform' && value === 'win32') ||
      (subject === 'platform.system()' && value === 'Windows')
    );
  };
  for (let n: PyNode = node; n.parent; n = n.parent) {
    const p = n.parent;
    if ((p.type === 'if_statement' || p.type === 'elif_clause') && field(p, 'consequence') === n)
      if (holdsWindows(field(p, 'condition'))) return true;
  }
  return false;
}

/** `json.dumps(x)` / `json.dump(x, f)` without `ensure_ascii=False`: the text is pure ASCII. */
function isAsciiJson(py: PyFile, call: PyNode | undefined): boolean {
  if (call?.type !== 'call' || !/^json\.dumps?$/.test(py.callee(call) ?? '') || py.hasSplat(call)) return false;
  const ea = py.kwargs(call).get('ensure_ascii');
  return !ea || ea.type === 'true';
}

/**
 * A write-mode `open()` whose handle (`with open(...) as f`, `f = open(...)`) is used only as the
 * file of ASCII `json.dump(x, f)` calls.
 */
/** `f.write("...")` of a string literal that is all ASCII (no escapes or interpolation that could add more). */
function asciiLiteralWrite(py: PyFile, handle: PyNode): boolean {
  const attr = handle.parent;
  if (attr?.type !== 'attribute' || field(attr, 'object') !== handle) return false;
  if (py.text(field(attr, 'attribute')!) !== 'write') return false;
  const call = attr.parent;
  if (call?.type !== 'call') return false;
  const args = py.positional(call);
  const text = args.length === 1 ? py.str(args[0]) : undefined;
  // eslint-disable-next-line no-control-regex
  return text !== undefined && /^[\x00-\x7f]*$/.test(text);
}

function onlyAsciiJsonWrites(py: PyFile, openCall: PyNode): boolean {
  let handle: string | undefined;
  let scope: PyNode | undefined;
  const p = openCall.parent;
  if (p?.type === 'as_pattern') {
    const alias = field(p, 'alias') ?? named(p)[1];
    const id = alias?.type === 'as_pattern_target' ? named(alias)[0] : alias;
    if (id?.type === 'identifier') handle = py.text(id);
    for (let w: PyNode | null = p.parent; w; w = w.parent)
      if (w.type === 'with_statement') {
        scope = field(w, 'body');
        break;
      }
  } else if (p?.type === 'assignment' && field(p, 'right') === openCall && field(p, 'left')?.type === 'identifier') {
    handle = py.text(field(p, 'left')!);
    scope = py.enclosingFunction(openCall)?.body ?? py.root;
  }
  if (!handle || !scope) return false;
  let uses = 0;
  let ok = true;
  walk(scope, (n) => {
    if (!ok) return false;
    if (n.type !== 'identifier' || py.text(n) !== handle) return true;
    if (n.parent?.type === 'attribute' && field(n.parent, 'attribute') === n) return true;
    const arg = n.parent?.type === 'keyword_argument' ? n.parent : n;
    const call = arg.parent?.type === 'argument_list' ? arg.parent.parent : undefined;
    if (call?.type === 'call' && py.callee(call) === 'json.dump' && isAsciiJson(py, call)) uses++;
    else if (
      n.parent?.type === 'as_pattern_target' ||
      (n.parent?.type === 'assignment' && field(n.parent, 'left') === n)
    ) {
      // the binding itself
    } else if (n.parent?.type === 'attribute' && /^(close|flush)$/.test(py.text(field(n.parent, 'attribute')!))) {
      // f.close()
    } else if (asciiLiteralWrite(py, n)) {
      // f.write("\n") after the dump
    } else ok = false;
    return true;
  });
  return ok && uses > 0;
}
