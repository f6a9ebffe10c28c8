import * as fs from 'node:fs';
import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parseTree,
  type Edit,
  type FormattingOptions,
  type JSONPath,
  type Node,
} from 'jsonc-parser';

/**
 * Rewrites a stdio server entry in a JSON/JSONC client config so the client launches it
 * through `mcp-doctor proxy` (and back). Only the entry's `command` and `args` change; the
 * rest of the file (comments, formatting, order) is preserved by `jsonc-parser` edits.
 */

/** Where server entries live in the JSON configs of the clients we can rewrite. */
const CONTAINERS: JSONPath[] = [['servers'], ['mcpServers'], ['context_servers'], ['mcp', 'servers'], ['mcp']];

export interface ProxyTarget {
  /** `node` (or an absolute node path) that runs the CLI. */
  node: string;
  /** Absolute path of `dist/cli.js`. */
  cliPath: string;
  /** Trace file the proxy appends to. */
  traceFile: string;
}

/** The entry's `command` and `args` values exactly as written (JSON source text). */
export interface OriginalEntryText {
  command: string;
  args?: string;
}

export type RewriteResult =
  | { ok: true; text: string; edits: Edit[]; path: JSONPath; original?: OriginalEntryText }
  | { ok: false; message: string };

/**
 * Which entry of a file is meant when a name appears in several places: in `~/.claude.json` a
 * project-scoped server lives under `projects["<dir>"].mcpServers`, and a top-level entry of the
 * same name is another server.
 */
export interface EntryScope {
  /** The `projects` key of a Claude Code project-scoped entry. */
  project?: string;
}

/** Where `server`'s entry is in its file (`project` for Claude Code project-scoped entries). */
export function entryScope(server: { client: string; scope: string; workspaceFolder?: string }): EntryScope {
  return server.client === 'claude-code' && server.scope === 'project-local' && server.workspaceFolder
    ? { project: server.workspaceFolder }
    : {};
}

/** The JSON path of server `name`'s entry, or undefined (never another entry of the same name). */
export function findServerEntry(
  text: string,
  name: string,
  scope: EntryScope = {},
): { path: JSONPath; node: Node } | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!tree) return undefined;
  if (scope.project !== undefined) {
    const path: JSONPath = ['projects', scope.project, 'mcpServers', name];
    const node = findNodeAtLocation(tree, path);
    return node && node.type === 'object' ? { path, node } : undefined;
  }
  for (const c of CONTAINERS) {
    const node = findNodeAtLocation(tree, [...c, name]);
    if (node && node.type === 'object') return { path: [...c, name], node };
  }
  return undefined;
}

function readEntry(node: Node): { command?: string; args?: string[]; commandNode?: Node; argsNode?: Node } {
  const out: { command?: string; args?: string[]; commandNode?: Node; argsNode?: Node } = {};
  for (const prop of node.children ?? []) {
    const [k, v] = prop.children ?? [];
    if (k?.value === 'command' && v?.type === 'string') {
      out.command = v.value;
      out.commandNode = v;
    }
    if (k?.value === 'args' && v?.type === 'array') {
      out.args = (v.children ?? []).map((c) => String(c.value));
      out.argsNode = v;
    }
  }
  return out;
}

const source = (text: string, n: Node) => text.slice(n.offset, n.offset + n.length);

/** True when the entry already runs through the proxy. */
function isProxied(entry: { command?: string; args?: string[] }): boolean {
  const a = entry.args ?? [];
  return a.length >= 3 && /cli\.js$/.test(a[0]) && a[1] === 'proxy' && a.includes('--');
}

function formatting(text: string): FormattingOptions {
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  return {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function apply(
  text: string,
  path: JSONPath,
  values: { command: string; args: string[] | undefined },
): { text: string; edits: Edit[] } {
  const formattingOptions = formatting(text);
  let edits = modify(text, [...path, 'command'], values.command, { formattingOptions });
  let out = applyEdits(text, edits);
  const argEdits = modify(out, [...path, 'args'], values.args, { formattingOptions });
  out = applyEdits(out, argEdits);
  edits = [...edits, ...argEdits];
  return { text: out, edits };
}

/** Puts the proxy in front of server `name`. */
export function routeThroughProxy(
  text: string,
  name: string,
  target: ProxyTarget,
  scope: EntryScope = {},
): RewriteResult {
  const found = findServerEntry(text, name, scope);
  if (!found)
    return { ok: false, message: `No server "${name}" found under servers/mcpServers/context_servers in this file.` };
  const entry = readEntry(found.node);
  if (!entry.command)
    return {
      ok: false,
      message: `Server "${name}" has no "command": only stdio servers can be routed through the proxy.`,
    };
  if (isProxied(entry)) return { ok: false, message: `Server "${name}" already runs through the MCP Doctor proxy.` };
  const args = [
    target.cliPath,
    'proxy',
    '--trace',
    target.traceFile,
    '--name',
    name,
    '--',
    entry.command,
    ...(entry.args ?? []),
  ];
  const original: OriginalEntryText = {
    command: source(text, entry.commandNode!),
    args: entry.argsNode ? source(text, entry.argsNode) : undefined,
  };
  const r = apply(text, found.path, { command: target.node, args });
  return { ok: true, ...r, path: found.path, original };
}

/**
 * Undoes `routeThroughProxy` for server `name`. With `original` (from the routing result),
 * the values are put back exactly as they were written, as long as the proxied entry still
 * runs the same command; otherwise they are rebuilt from the arguments after `--`.
 */
export function restoreFromProxy(
  text: string,
  name: string,
  original?: OriginalEntryText,
  scope: EntryScope = {},
): RewriteResult {
  const found = findServerEntry(text, name, scope);
  if (!found) return { ok: false, message: `No server "${name}" found in this file.` };
  const entry = readEntry(found.node);
  if (!isProxied(entry)) return { ok: false, message: `Server "${name}" does not run through the MCP Doctor proxy.` };
  const a = entry.args!;
  const sep = a.indexOf('--');
  const command = a[sep + 1];
  if (!command) return { ok: false, message: `The proxied entry of "${name}" has no command after "--".` };
  const rest = a.slice(sep + 2);
  if (original && matches(original, command, rest) && entry.commandNode && entry.argsNode) {
    if (original.args !== undefined) {
      // Replace the two value nodes by their original source text (later offset first).
      const edits: Edit[] = [
        { offset: entry.argsNode.offset, length: entry.argsNode.length, content: original.args },
        { offset: entry.commandNode.offset, length: entry.commandNode.length, content: original.command },
      ].sort((x, y) => y.offset - x.offset);
      let out = text;
      for (const e of edits) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
      return { ok: true, text: out, edits, path: found.path };
    }
  }
  const r = apply(text, found.path, { command, args: rest.length ? rest : undefined });
  return { ok: true, ...r, path: found.path };
}

function matches(original: OriginalEntryText, command: string, args: string[]): boolean {
  try {
    const c = JSON.parse(original.command) as unknown;
    const a = original.args === undefined ? [] : (JSON.parse(original.args) as unknown);
    return c === command && JSON.stringify(a) === JSON.stringify(args);
  } catch {
    return false;
  }
}

/** The trace file a proxied entry writes to (from its `--trace` argument). */
export function proxiedTraceFile(text: string, name: string, scope: EntryScope = {}): string | undefined {
  const found = findServerEntry(text, name, scope);
  const a = found ? (readEntry(found.node).args ?? []) : [];
  if (!isProxied({ args: a })) return undefined;
  const i = a.indexOf('--trace');
  return i >= 0 && i < a.indexOf('--') ? a[i + 1] : undefined;
}

/**
 * Copies `file` next to itself before it is rewritten (`<file>.<time>.mcp-doctor.bak`) and
 * returns the copy's path. Throws when the copy cannot be made: no backup, no rewrite.
 */
export function backupConfigFile(file: string, now = new Date()): string {
  const backup = `${file}.${now.toISOString().replace(/[:.]/g, '-')}.mcp-doctor.bak`;
  fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
  return backup;
}
