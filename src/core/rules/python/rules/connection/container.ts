/**
 * Which Python modules a project's container runs: the Dockerfile's CMD/ENTRYPOINT resolved to
 * files (`uv run server.py`, `python -m pkg.server`, `fastmcp run app.py:mcp`, `uvicorn pkg.app:app`,
 * a `[project.scripts]` name). MCP106/MCP108 use it so that container evidence applies only to
 * the module the container runs, not to other modules' own `__main__` (developer) runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { field, type PyNode } from '../../ast';
import type { PyFile } from '../../context';
import type { ServerFact } from '../../servers';
import { inMainGuard } from '../../flow';

/** Instructions with `\` continuations joined. */
const INSTRUCTION = /^[ \t]*([A-Za-z]+)[ \t]+((?:[^\n]*\\\r?\n)*[^\n]*)/gm;

/** Exec form (`["uv", "run", "server.py"]`) or shell form, as words; a `sh -c "..."` string is split too. */
function words(args: string): string[] {
  const a = args.replace(/\\\r?\n/g, ' ').trim();
  if (a.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(a);
      if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').flatMap((w) => w.split(/\s+/));
    } catch {
      // not JSON: shell form
    }
  }
  return a.split(/[\s;&|]+/).map((w) => w.replace(/^["']|["']$/g, ''));
}

/** Whether a compose file sets a service's `command:` or `entrypoint:` (which replaces the image's CMD). */
function composeOverrides(text: string): boolean {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return true;
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object') return false;
  return Object.values(services).some(
    (svc) => !!svc && typeof svc === 'object' && ('command' in svc || 'entrypoint' in svc),
  );
}

function exists(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function moduleFiles(bases: string[], dotted: string, asMain: boolean): string[] {
  const parts = dotted.split('.').filter(Boolean);
  if (!parts.length || parts.some((p) => !/^\w+$/.test(p))) return [];
  for (const b of bases) {
    const stem = path.join(b, ...parts);
    const found = [
      `${stem}.py`,
      path.join(stem, '__init__.py'),
      ...(asMain ? [path.join(stem, '__main__.py')] : []),
    ].filter(exists);
    if (found.length) return found;
  }
  return [];
}

function scripts(root: string): Record<string, string> {
  try {
    const doc = parseToml(fs.readFileSync(path.join(root, 'pyproject.toml'), 'utf8')) as {
      project?: { scripts?: Record<string, unknown> };
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.project?.scripts ?? {})) if (typeof v === 'string') out[k] = v;
    return out;
  } catch {
    return {};
  }
}

/**
 * The files the container command runs, or undefined when it cannot be told (no CMD/ENTRYPOINT,
 * a command that names no project module, or a compose file that may override the command).
 */
export function containerEntries(
  dockerText: string,
  dockerPath: string | undefined,
  root: string,
  composeText?: string,
): string[] | undefined {
  if (composeText && composeOverrides(composeText)) return undefined;
  let cmd: string[] | undefined;
  let entry: string[] | undefined;
  for (const m of dockerText.slice(0, 200_000).matchAll(INSTRUCTION)) {
    const k = m[1].toUpperCase();
    if (k === 'FROM') cmd = entry = undefined;
    else if (k === 'CMD') cmd = words(m[2]);
    else if (k === 'ENTRYPOINT') entry = words(m[2]);
  }
  const argv = [...(entry ?? []), ...(cmd ?? [])];
  if (!argv.length) return undefined;
  const bases = [...new Set([dockerPath ? path.dirname(dockerPath) : root, root, path.join(root, 'src')])];
  const named = scripts(root);
  const out = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i];
    if (w === '-m' && argv[i + 1]) {
      for (const f of moduleFiles(bases, argv[i + 1], true)) out.add(f);
      continue;
    }
    const py = /^([\w./-]+\.py)(?::\w+)?$/.exec(w);
    if (py) {
      for (const b of bases) {
        const f = path.resolve(b, py[1].replace(/^\/app\//, ''));
        if (exists(f)) {
          out.add(f);
          break;
        }
      }
      continue;
    }
    const target = named[w] ?? (/^[\w.]+:\w+$/.test(w) ? w : undefined);
    if (target) for (const f of moduleFiles(bases, target.split(':')[0].trim(), false)) out.add(f);
  }
  return out.size ? [...out] : undefined;
}

/** Runs only when the file is executed as a script: in the main guard, or in a function called only from it. */
function scriptOnly(py: PyFile, node: PyNode): boolean {
  if (inMainGuard(py, node)) return true;
  const fn = py.enclosingFunction(node);
  if (!fn) return false;
  const calls = py.calls.filter((c) => {
    const f = field(c, 'function');
    return f?.type === 'identifier' && py.text(f) === fn.name;
  });
  return calls.length > 0 && calls.every((c) => inMainGuard(py, c));
}

/**
 * True when the project's container is known to run other modules, and every `uvicorn.run()` of
 * this file runs only when the file is executed as a script: the apps it serves are a developer
 * run's (`if __name__ == "__main__": uvicorn.run(app, host="127.0.0.1")` in a demo module).
 */
export function servedOnlyAsScript(py: PyFile, entries: string[] | undefined): boolean {
  if (!entries || entries.includes(path.resolve(py.project.root, py.file))) return false;
  const serves = py.calls.filter((c) => py.callee(c) === 'uvicorn.run');
  return serves.length > 0 && serves.every((c) => scriptOnly(py, c));
}

/**
 * True when the project's container is known to run other modules, and this server exists or
 * starts only when this file is run as a script (`if __name__ == "__main__":`): a developer run.
 */
export function notRunByContainer(py: PyFile, s: ServerFact, entries: string[] | undefined): boolean {
  if (!entries) return false;
  const me = path.resolve(py.project.root, py.file);
  if (entries.includes(me)) return false;
  if (s.ctor && scriptOnly(py, s.ctor)) return true;
  return s.starts.length > 0 && s.starts.every((st) => scriptOnly(py, st.node));
}
