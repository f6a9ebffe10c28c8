import type { InterpolationStyle, ServerConfig } from './types';

/** One variable reference found in a config string. */
export interface VarRef {
  /** The text as written, e.g. `${env:TOKEN}`, `$HOME`, `{env:X}`. */
  text: string;
  /** Offset of `text` inside the string. */
  index: number;
  kind:
    | 'workspaceFolder'
    | 'workspaceFolderBasename'
    | 'userHome'
    | 'pathSeparator'
    | 'cwd'
    | 'env' // ${env:X}, {env:X}, ${{ secrets.X }}
    | 'posix' // ${X} / ${X:-d}
    | 'bare' // $X
    | 'input' // ${input:id}, ${{ inputs.X }}
    | 'file' // ${file:p}, {file:p}
    | 'vscode-only' // ${config:x}, ${command:x}, ...: only VS Code itself can resolve them
    | 'literal' // ${...} in a client without interpolation
    | 'unknown'; // ${foo} the client does not define
  /** Variable / input / file name. */
  name: string;
  /** `${X:-default}` default value. */
  default?: string;
  /** Whether the owning client expands this reference at all. */
  expanded: boolean;
}

/** Context for `resolveVariables`. Nothing is read from the real process. */
export interface VariableContext {
  workspaceFolder?: string;
  home: string;
  env: Record<string, string | undefined>;
  /** Values of `${input:id}` (VS Code) / `${{ inputs.X }}` (Continue), keyed by id. */
  inputs?: Map<string, string>;
}

const ENV_NAME = '[A-Za-z_][A-Za-z0-9_]*';

/**
 * `s` cut after its last `}`. A `${…}` pattern tried at every `${` of a value with no `}` after
 * it reads to the end each time (quadratic on `${${${…`); with the text cut there, every try
 * finds its `}`, so matching is linear. No match is lost: each one ends with a `}`.
 */
function upToLastBrace(s: string): string {
  return s.slice(0, s.lastIndexOf('}') + 1);
}

/** Finds every variable reference in `s` for the given client syntax. */
export function findVariables(s: string, style: InterpolationStyle): VarRef[] {
  const out: VarRef[] = [];
  const push = (m: RegExpMatchArray, r: Omit<VarRef, 'text' | 'index'>) =>
    out.push({ text: m[0], index: m.index ?? 0, ...r });
  switch (style) {
    case 'vscode':
    case 'cursor':
    case 'roo':
    case 'windsurf':
    case 'codex': {
      for (const m of upToLastBrace(s).matchAll(/\$\{([^}]*)\}/g)) push(m, classifyBraced(m[1], style));
      if (style === 'vscode' || style === 'cursor') {
        for (const m of s.matchAll(new RegExp(`\\$(${'[A-Z_][A-Z0-9_]*'})(?![A-Za-z0-9_{])`, 'g'))) {
          push(m, { kind: 'bare', name: m[1], expanded: false });
        }
      }
      break;
    }
    case 'posix':
    case 'fastmcp':
    case 'gemini': {
      for (const m of upToLastBrace(s).matchAll(/\$\{([^}]*)\}/g)) {
        const pm = new RegExp(`^(${ENV_NAME})(?::-(.*))?$`, 's').exec(m[1]);
        if (pm && (style !== 'fastmcp' || pm[2] === undefined))
          push(m, { kind: 'posix', name: pm[1], default: pm[2], expanded: true });
        else push(m, { kind: 'unknown', name: m[1], expanded: false });
      }
      for (const m of s.matchAll(
        new RegExp(`\\$(${style === 'gemini' ? ENV_NAME : '[A-Z_][A-Z0-9_]*'})(?![A-Za-z0-9_{])`, 'g'),
      )) {
        push(m, { kind: 'bare', name: m[1], expanded: style === 'gemini' });
      }
      break;
    }
    case 'opencode': {
      for (const m of upToLastBrace(s).matchAll(/\{(env|file):([^}]+)\}/g))
        push(m, { kind: m[1] === 'env' ? 'env' : 'file', name: m[2], expanded: true });
      break;
    }
    case 'continue': {
      for (const m of s.matchAll(/\$\{\{\s*(secrets|inputs)\.([A-Za-z0-9_.-]+)\s*\}\}/g)) {
        push(m, { kind: m[1] === 'secrets' ? 'env' : 'input', name: m[2], expanded: true });
      }
      break;
    }
    case 'none': {
      for (const m of upToLastBrace(s).matchAll(/\$\{([^}]*)\}/g))
        push(m, { kind: 'literal', name: m[1], expanded: false });
      for (const m of s.matchAll(/\$([A-Z_][A-Z0-9_]*)(?![A-Za-z0-9_{])/g))
        push(m, { kind: 'literal', name: m[1], expanded: false });
      break;
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

function classifyBraced(inner: string, style: InterpolationStyle): Omit<VarRef, 'text' | 'index'> {
  const colon = inner.indexOf(':');
  const head = colon >= 0 ? inner.slice(0, colon) : inner;
  const rest = colon >= 0 ? inner.slice(colon + 1) : '';
  const ok = (kind: VarRef['kind'], name = inner): Omit<VarRef, 'text' | 'index'> => ({ kind, name, expanded: true });
  if (head === 'env' && colon >= 0) return ok('env', rest);
  if (style === 'codex') return { kind: 'literal', name: inner, expanded: false };
  if (style === 'windsurf')
    return head === 'file' && colon >= 0 ? ok('file', rest) : { kind: 'unknown', name: inner, expanded: false };
  if (inner === 'workspaceFolder' || (style !== 'roo' && head === 'workspaceFolder'))
    return ok('workspaceFolder', rest || inner);
  if (style === 'roo') return { kind: 'unknown', name: inner, expanded: false };
  if (inner === 'workspaceFolderBasename') return ok('workspaceFolderBasename');
  if (inner === 'userHome') return ok('userHome');
  if (inner === '/' || inner === 'pathSeparator') return ok('pathSeparator');
  if (style === 'vscode') {
    if (head === 'input' && colon >= 0) return ok('input', rest);
    if (inner === 'cwd') return ok('cwd');
    if (
      [
        'config',
        'command',
        'extensionInstallFolder',
        'file',
        'fileBasename',
        'fileDirname',
        'relativeFile',
        'lineNumber',
        'selectedText',
        'execPath',
        'defaultBuildTask',
        'workspaceRoot',
      ].includes(head)
    ) {
      return { kind: 'vscode-only', name: inner, expanded: true };
    }
  }
  return { kind: 'unknown', name: inner, expanded: false };
}

function lookupEnv(
  env: Record<string, string | undefined>,
  name: string,
  caseInsensitive: boolean,
): string | undefined {
  const v = env[name];
  if (v !== undefined || !caseInsensitive) return v;
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key];
}

/**
 * Substitutes the variables of one string. Returns the new string and the references that
 * could not be resolved (left as written).
 */
export function resolveString(
  s: string,
  style: InterpolationStyle,
  ctx: VariableContext,
  workspaceFolder?: string,
): { value: string; unresolved: string[] } {
  const refs = findVariables(s, style);
  if (!refs.length) return { value: s, unresolved: [] };
  const home = typeof ctx.home === 'string' ? ctx.home : '';
  const env = ctx.env ?? {};
  const windows = /^[A-Za-z]:[\\/]/.test(home) || home.includes('\\');
  const folder = ctx.workspaceFolder ?? workspaceFolder;
  const unresolved: string[] = [];
  let out = '';
  let last = 0;
  for (const r of refs) {
    if (r.index < last) continue; // overlapping matches (e.g. bare $X inside ${...})
    let v: string | undefined;
    if (r.expanded) {
      switch (r.kind) {
        case 'workspaceFolder':
        case 'cwd':
          v = folder;
          break;
        case 'workspaceFolderBasename':
          v = folder ? folder.split(/[\\/]/).filter(Boolean).pop() : undefined;
          break;
        case 'userHome':
          v = home || undefined;
          break;
        case 'pathSeparator':
          v = windows ? '\\' : '/';
          break;
        case 'env':
          v = lookupEnv(env, r.name, windows);
          break;
        case 'posix':
        case 'bare': {
          const e = lookupEnv(env, r.name, windows);
          v = e !== undefined && (e !== '' || r.default === undefined) ? e : r.default;
          if (v === undefined && style === 'gemini') v = '';
          break;
        }
        case 'input':
          v = ctx.inputs?.get(r.name);
          break;
        default:
          v = undefined;
      }
    }
    out += s.slice(last, r.index);
    if (v === undefined) {
      if (r.expanded) unresolved.push(r.text);
      out += r.text;
    } else {
      out += v;
    }
    last = r.index + r.text.length;
  }
  out += s.slice(last);
  return { value: out, unresolved };
}

/**
 * Returns a copy of `server` with every variable the client would expand substituted in
 * command, args, env, envFile, cwd, url and headers. `${input:id}` is substituted only from
 * `ctx.inputs`; `unresolved` lists every reference still present (e.g. `${input:token}`,
 * `${env:UNSET}`). Pure: reads nothing but its arguments.
 */
export function resolveVariables(server: ServerConfig, ctx: VariableContext): ServerConfig {
  const style = server.interpolation ?? 'none';
  const unresolved = new Set<string>();
  const one = (s: string): string => {
    if (s.length > 10000) return s;
    const r = resolveString(s, style, ctx, server.workspaceFolder);
    r.unresolved.forEach((u) => unresolved.add(u));
    return r.value;
  };
  const map = (m?: Record<string, string>) =>
    m ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'string' ? one(v) : v])) : undefined;
  const copy: ServerConfig = {
    ...server,
    command: server.command === undefined ? undefined : one(server.command),
    args: server.args?.map((a) => (typeof a === 'string' ? one(a) : a)),
    env: map(server.env),
    envFile: server.envFile === undefined ? undefined : one(server.envFile),
    cwd: server.cwd === undefined ? undefined : one(server.cwd),
    url: server.url === undefined ? undefined : one(server.url),
    headers: map(server.headers),
    unresolved: [],
  };
  for (const k of ['command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers'] as const) {
    if (copy[k] === undefined) delete copy[k];
  }
  copy.unresolved = [...unresolved];
  return copy;
}
