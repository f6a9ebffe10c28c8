import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One frame of a Python traceback or Node stack trace. `line` is 1-based as printed. */
export interface StackFrame {
  file: string;
  line: number;
  column?: number;
  fn?: string;
}

/** The last exception found in stderr. Frames are ordered outermost first, innermost last. */
export interface ParsedTrace {
  language: 'python' | 'node';
  /** The exception line, e.g. `ValueError: bad` or `Error: boom`. */
  exception: string;
  frames: StackFrame[];
}

const PY_FRAME = /^\s*File "(.+?)", line (\d+)(?:, in (.+))?$/;
/** Longest stderr line matched against the frame patterns (real frames are far shorter). */
const MAX_FRAME_LINE = 1000;
const NODE_FRAME = /^\s+at (?:(.+?) \()?((?:file:\/\/)?(?:[A-Za-z]:)?[^():]+?):(\d+):(\d+)\)?\s*$/;
const NODE_EXCEPTION = /^(?:Uncaught )?(?:[A-Z][\w$.]*(?:Error|Exception)|Error)(?: \[[A-Z_]+\])?(?::|$)/;

/**
 * Finds the last Python traceback or Node stack trace in stderr lines. Python: the frames after
 * the last `Traceback (most recent call last):` and the first unindented line after them. Node:
 * the block of `    at ...` lines and the exception line right above it. Never throws.
 */
export function parseLastTrace(lines: readonly string[]): ParsedTrace | undefined {
  // Frame patterns run on every line: a hostile line is cut before they see it.
  const cut = lines.map((l) => (l.length > MAX_FRAME_LINE ? l.slice(0, MAX_FRAME_LINE) : l));
  return parsePython(cut) ?? parseNode(cut);
}

function parsePython(lines: readonly string[]): ParsedTrace | undefined {
  let start = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (
      lines[i].startsWith('Traceback (most recent call last):') ||
      /^\s*(?:\+\s*)?Traceback \(most recent call last\):/.test(lines[i])
    ) {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const frames: StackFrame[] = [];
  let exception = '';
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    const m = PY_FRAME.exec(line);
    if (m) {
      frames.push({ file: m[1], line: Number(m[2]), fn: m[3] });
      continue;
    }
    if (/^\S/.test(line) && line.trim()) {
      exception = line.trim();
      break;
    }
  }
  if (!frames.length && !exception) return undefined;
  return { language: 'python', exception: exception || 'Python exception (no exception line)', frames };
}

function parseNode(lines: readonly string[]): ParsedTrace | undefined {
  // The last block of "at" lines.
  let end = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (NODE_FRAME.test(lines[i]) || /^\s+at .+/.test(lines[i])) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  let start = end;
  while (start > 0 && /^\s+at .+/.test(lines[start - 1])) start--;
  const frames: StackFrame[] = [];
  for (let i = start; i <= end; i++) {
    const m = NODE_FRAME.exec(lines[i]);
    if (!m) continue;
    let file = m[2];
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        // keep as is
      }
    }
    frames.push({ fn: m[1], file, line: Number(m[3]), column: Number(m[4]) });
  }
  // Exception line: nearest line above the frames that looks like one (error messages can span lines).
  let exception = '';
  for (let i = start - 1; i >= 0 && i >= start - 20; i--) {
    const t = lines[i].trim();
    if (NODE_EXCEPTION.test(t)) {
      exception = t;
      break;
    }
  }
  if (!exception && start > 0) exception = lines[start - 1].trim();
  // Node prints innermost first; return outermost first like Python.
  frames.reverse();
  return { language: 'node', exception: exception || 'Node error', frames };
}

/** True when `file` lies inside `folder` and not in a dependency directory. */
function isWorkspaceFile(file: string, folder: string): boolean {
  if (!path.isAbsolute(file)) return false;
  const rel = path.relative(folder, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return !/(^|[\\/])(node_modules|site-packages|dist-packages|\.venv|venv|\.tox|__pypackages__)([\\/]|$)/.test(rel);
}

/**
 * The innermost frame inside the workspace (not in site-packages/node_modules), with relative
 * paths resolved against `cwd`. Undefined when no frame is the user's own code.
 */
export function deepestWorkspaceFrame(
  trace: ParsedTrace,
  workspaceFolder: string,
  cwd?: string,
): StackFrame | undefined {
  for (let i = trace.frames.length - 1; i >= 0; i--) {
    const f = trace.frames[i];
    const file = path.isAbsolute(f.file) ? f.file : path.resolve(cwd ?? workspaceFolder, f.file);
    if (isWorkspaceFile(file, workspaceFolder) && fs.existsSync(file)) return { ...f, file };
  }
  return undefined;
}

/** Hints for well-known crash messages (rules.md MCP708). */
export function crashHint(exception: string, stderr: readonly string[]): string | undefined {
  const text = exception + '\n' + stderr.slice(-30).join('\n');
  let m: RegExpExecArray | null;
  if ((m = /ModuleNotFoundError: No module named '([^']+)'/.exec(text)))
    return `Python cannot import \`${m[1]}\`: the server runs with an interpreter or virtualenv where it is not installed. Point \`command\` at the project's venv (e.g. \`.venv/bin/python\`) or use \`uv run\`.`;
  if (/ERR_MODULE_NOT_FOUND|Cannot find module/.test(text))
    return 'Node cannot find a module: build the server first (e.g. `npm run build`), check the path in `args`, and use `.js` extensions on ESM imports of SDK subpaths.';
  if ((m = /KeyError: '([A-Z][A-Z0-9_]*)'/.exec(text)))
    return `The server reads the environment variable \`${m[1]}\`, which is not set: add it to \`env\` in the config.`;
  if (/Already running asyncio|asyncio\.run\(\) cannot be called from a running event loop/.test(text))
    return 'The server calls a synchronous `run()` inside a running event loop: use `await mcp.run_async()` instead.';
  if (/UnicodeDecodeError|UnicodeEncodeError: 'charmap'/.test(text))
    return "Text I/O without an explicit encoding: pass `encoding='utf-8'`.";
  if (/The @tool decorator was used incorrectly/.test(text)) return 'Use `@mcp.tool()` with parentheses.';
  if (/is already registered|Tool already exists/.test(text)) return 'Two tools share one name: rename one of them.';
  if (/EADDRINUSE|Address already in use/.test(text))
    return 'The port is already in use: stop the other server or pick another port.';
  return undefined;
}

/** Range covering the text of a 1-based line (trimmed), or column 0 when the file cannot be read. */
export function lineRange(
  file: string,
  line1: number,
): { start: { line: number; character: number }; end: { line: number; character: number } } {
  const line = Math.max(0, line1 - 1);
  try {
    const st = fs.statSync(file);
    if (st.size < 4 * 1024 * 1024) {
      const text = fs.readFileSync(file, 'utf8').split(/\r?\n/)[line] ?? '';
      const start = text.length - text.trimStart().length;
      return { start: { line, character: start }, end: { line, character: text.trimEnd().length } };
    }
  } catch {
    // fall through
  }
  return { start: { line, character: 0 }, end: { line, character: 0 } };
}
