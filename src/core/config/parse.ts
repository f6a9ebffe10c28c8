import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding, Range } from '../model';
import { checkServer, type CheckContext } from './checks';
import { CLIENTS, type ClientProfile } from './clients';
import { findOnPath as realFindOnPath, isFile } from './findOnPath';
import { finding, replaceFix } from './findings';
import { normalizeEntry, type EntryContext, type NormalizedEntry } from './normalize';
import { describeKind, prop, type PNode } from './pnode';
import { baseName, OVER_BUDGET, PARSE_LIMITS, type ParsedText } from './syntax';
import { parseJsonText, type JsonStrictness } from './jsonSyntax';
import { parseTomlText } from './tomlSyntax';
import { parseYamlText } from './yamlSyntax';
import type { ConfigFileResult, ConfigLocation, ServerConfig } from './types';
import { resolveVariables, type VariableContext } from './variables';
import { readInputs } from './inputs';
import { codexExtras } from './codex';
import { readFastmcp } from './fastmcpJson';

/** Options of `parseConfigText`; everything defaults to "nothing known" (pure). */
export interface ParseOptions {
  home?: string;
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Check commands on PATH and script files on disk (default false). */
  checkCommands?: boolean;
  findOnPath?: (command: string) => string | undefined;
  fileExists?: (p: string) => boolean;
  /**
   * Milliseconds the servers of this file may take to check (default 700). Past it, the
   * remaining servers are not read and one MCP090 finding says so. With the size and value
   * limits of the syntax step, a hostile file costs the editor well under a second.
   */
  budgetMs?: number;
}

/**
 * Characters of a config read (editor text included). JSON gets discovery's 5 MB, since
 * ~/.claude.json grows large; Continue, Goose and Codex configs are a few kilobytes.
 */
const MAX_TEXT_CHARS = { json: 5 * 1024 * 1024, yaml: 256 * 1024, toml: 256 * 1024 } as const;
/** Servers read per file; real configs declare a few dozen at most. */
const MAX_SERVERS = 500;
/** Items of one server's `args`, and keys of its `env` / `headers`, that are checked. */
const MAX_ENTRY_ITEMS = 1000;

/**
 * Parses the text of one config file (saved or not) into servers and findings. Never throws:
 * every problem, including an internal error, becomes a finding. Does not execute anything;
 * touches the disk only when `checkCommands` is set (through `findOnPath` / `fileExists`).
 */
export function parseConfigText(
  file: string,
  text: string,
  location: ConfigLocation,
  opts: ParseOptions = {},
): ConfigFileResult {
  const result: ConfigFileResult = {
    file,
    client: location.client,
    scope: location.scope,
    accepted: true,
    servers: [],
    findings: [],
    format: location.format,
    location,
  };
  try {
    parseInto(result, file, text, location, opts);
  } catch (err) {
    result.findings.push(
      finding(
        'MCP000',
        'error',
        `MCP Doctor could not analyse this file (${err instanceof Error ? err.message : String(err)}). Please report this with the file contents.`,
        file,
        { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      ),
    );
  }
  return result;
}

function parseInto(
  result: ConfigFileResult,
  file: string,
  text: string,
  location: ConfigLocation,
  opts: ParseOptions,
): void {
  const budgetMs = opts.budgetMs ?? 700;
  const profile = CLIENTS[location.client] ?? CLIENTS.vscode;
  const ext = path.extname(file).toLowerCase();
  const syntax =
    location.format === 'codex'
      ? 'toml'
      : location.format === 'goose' || (location.format === 'continue' && (ext === '.yaml' || ext === '.yml'))
        ? 'yaml'
        : 'json';
  const origin = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const overBudget = (what: string, severity: Finding['severity'] = 'error') =>
    result.findings.push(
      finding(
        OVER_BUDGET,
        severity,
        `${baseName(file)} ${what}. MCP Doctor reads config files within fixed limits so that a hostile file cannot freeze the editor; no real MCP config comes near them.`,
        file,
        origin,
        { data: { limits: { ...PARSE_LIMITS, ...MAX_TEXT_CHARS, maxServers: MAX_SERVERS, budgetMs } } },
      ),
    );
  if (text.length > MAX_TEXT_CHARS[syntax]) {
    result.accepted = false;
    overBudget(
      `is ${Math.round(text.length / 1024)} KB of ${syntax.toUpperCase()}; MCP Doctor reads at most ${MAX_TEXT_CHARS[syntax] / 1024} KB of ${syntax.toUpperCase()}. Its servers are not listed`,
    );
    return;
  }
  let parsed: ParsedText;
  if (syntax === 'toml') parsed = parseTomlText(file, text, profile.label);
  else if (syntax === 'yaml') parsed = parseYamlText(file, text, profile.label);
  else parsed = parseJsonText(file, text, strictnessFor(location, profile), profile.label);
  result.accepted = parsed.accepted;
  // The syntax step is bounded by the size and value limits; the clock covers the server checks.
  const started = performance.now();
  result.findings.push(...parsed.findings);
  const root = parsed.root;
  if (!root) return;

  const env = opts.env ?? {};
  const platform = opts.platform ?? 'linux';
  const vars: VariableContext = { home: opts.home ?? '', env, workspaceFolder: location.workspaceFolder };
  const ctx: CheckContext = {
    file,
    profile,
    scope: location.scope,
    workspaceFolder: location.workspaceFolder,
    findings: result.findings,
    lines: parsed.lines,
    vars,
    platform,
    checkCommands: opts.checkCommands ?? false,
    findOnPath: opts.findOnPath ?? ((c) => realFindOnPath(c, env.PATH ?? env.Path, platform, isFile, env.PATHEXT)),
    fileExists: opts.fileExists ?? existsSync,
  };
  const f = (code: string, severity: Finding['severity'], message: string, range: Range, fixes?: Finding['fixes']) =>
    result.findings.push(finding(code, severity, message, file, range, { fixes }));

  if (root.kind !== 'object') {
    result.accepted = false;
    f(
      'MCP010',
      'error',
      `${baseName(file)} must contain a JSON object at the top level, got ${describeKind(root)}.`,
      root.range,
    );
    return;
  }

  /** Reads a name → entry map. */
  const readMap = (container: PNode | undefined, label: string, entryCtx: CheckContext = ctx) => {
    if (!container) return;
    if (container.kind !== 'object') {
      f(
        'MCP011',
        'error',
        `"${label}" must be an object mapping server names to their configuration, got ${describeKind(container)}.`,
        container.range,
      );
      return;
    }
    for (const [name, node] of container.props ?? []) add(entryCtx, name, node, node.keyRange ?? node.range);
  };
  let stopped = false;
  let cutOnce = false;
  const listCut = (name: string) => {
    if (cutOnce) return;
    cutOnce = true;
    overBudget(
      `gives server "${name}" more than ${MAX_ENTRY_ITEMS} args, env or header entries; only the first ${MAX_ENTRY_ITEMS} are checked`,
      'warning',
    );
  };
  const add = (
    entryCtx: CheckContext,
    name: string,
    node: PNode,
    keyRange: Range,
    post?: (e: NormalizedEntry) => void,
  ): NormalizedEntry | undefined => {
    if (stopped) return undefined;
    if (result.servers.length >= MAX_SERVERS || performance.now() - started > budgetMs) {
      stopped = true;
      overBudget(
        result.servers.length >= MAX_SERVERS
          ? `declares more than ${MAX_SERVERS} servers; only the first ${MAX_SERVERS} are listed`
          : `took more than ${budgetMs} ms to check; only its first ${result.servers.length} servers are listed`,
        'warning',
      );
      return undefined;
    }
    const e = normalizeEntry(
      entryCtx,
      name,
      boundedEntry(node, () => listCut(name)),
      keyRange,
    );
    post?.(e);
    checkServer(entryCtx, e);
    finish(e.server, entryCtx, vars, result.accepted);
    result.servers.push(e.server);
    return e;
  };
  const wrongKey = (node: PNode, wrong: string, right: string, consequence: string) => {
    const kr = node.keyRange;
    f(
      'MCP012',
      'warning',
      `"${wrong}" is not the key ${profile.label} reads in ${baseName(file)}; it expects "${right}". ${consequence}`,
      kr ?? node.range,
      kr && parsed.lines.text.slice(parsed.lines.lineStart(kr.start.line) + kr.start.character).startsWith('"')
        ? [replaceFix(`Rename to "${right}"`, file, kr, JSON.stringify(right))]
        : undefined,
    );
  };

  switch (location.format) {
    case 'vscode-mcp':
    case 'vscode-settings':
    case 'vscode-workspace':
    case 'vscode-devcontainer': {
      const block =
        location.format === 'vscode-mcp'
          ? root
          : location.format === 'vscode-settings'
            ? prop(root, 'mcp')
            : location.format === 'vscode-workspace'
              ? prop(prop(root, 'settings'), 'mcp')
              : prop(prop(prop(root, 'customizations'), 'vscode'), 'mcp');
      if (!block) return;
      if (block.kind !== 'object') {
        f(
          'MCP011',
          'error',
          `"mcp" must be an object with "servers" and "inputs", got ${describeKind(block)}.`,
          block.range,
        );
        return;
      }
      result.inputs = readInputs(prop(block, 'inputs'), ctx);
      ctx.inputs = result.inputs;
      ctx.inputsPath =
        location.format === 'vscode-mcp'
          ? ['inputs']
          : location.format === 'vscode-settings'
            ? ['mcp', 'inputs']
            : location.format === 'vscode-workspace'
              ? ['settings', 'mcp', 'inputs']
              : ['customizations', 'vscode', 'mcp', 'inputs'];
      const servers = prop(block, 'servers');
      const legacy = prop(block, 'mcpServers');
      if (legacy) {
        wrongKey(
          legacy,
          'mcpServers',
          'servers',
          servers ? 'Its servers are ignored.' : 'VS Code still reads it today, but the schema flags it; rename it.',
        );
        if (!servers) readMap(legacy, 'mcpServers');
      }
      readMap(servers, 'servers');
      return;
    }
    case 'mcp-servers':
    case 'continue': {
      const m = prop(root, 'mcpServers');
      if (location.format === 'continue' && m?.kind === 'array') return readContinueList(m);
      if (!m && prop(root, 'servers')?.kind === 'object') {
        wrongKey(
          prop(root, 'servers')!,
          'servers',
          'mcpServers',
          `${profile.label} ignores these servers (only VS Code's .vscode/mcp.json uses "servers").`,
        );
        readMap(prop(root, 'servers'), 'servers');
        return;
      }
      readMap(m, 'mcpServers');
      return;
    }
    case 'claude-json': {
      readMap(prop(root, 'mcpServers'), 'mcpServers', { ...ctx, scope: 'user', workspaceFolder: undefined });
      const projects = prop(root, 'projects');
      const wanted = location.projects?.map(normalizeDir);
      for (const [dir, proj] of projects?.props ?? []) {
        if (wanted && !wanted.includes(normalizeDir(dir))) continue;
        const servers = prop(proj, 'mcpServers');
        if (servers)
          readMap(servers, `projects["${dir}"].mcpServers`, {
            ...ctx,
            scope: 'project-local',
            workspaceFolder: dir,
            vars: { ...vars, workspaceFolder: dir },
          });
      }
      return;
    }
    case 'zed':
      readMap(prop(root, 'context_servers'), 'context_servers');
      return;
    case 'codex': {
      const wrong = prop(root, 'mcpServers');
      if (wrong)
        f(
          'MCP012',
          'warning',
          `Codex ignores [mcpServers.*] tables silently; it reads [mcp_servers.<name>] (snake_case). Rename the tables.`,
          wrong.keyRange ?? wrong.range,
        );
      const servers = prop(root, 'mcp_servers');
      if (!servers) return;
      if (servers.kind !== 'object')
        return void f('MCP011', 'error', `"mcp_servers" must be a table of servers.`, servers.range);
      for (const [name, node] of servers.props ?? [])
        add(ctx, name, node, node.keyRange ?? node.range, (e) => codexExtras(e, node, ctx));
      return;
    }
    case 'opencode': {
      const mcp = prop(root, 'mcp');
      if (!mcp) return;
      if (mcp.kind !== 'object') return void f('MCP011', 'error', `"mcp" must be an object of servers.`, mcp.range);
      const v2 = prop(mcp, 'servers');
      const looksLikeServer = (n: PNode) =>
        n.kind === 'object' && ['type', 'command', 'url'].some((k) => n.props?.has(k));
      if (v2?.kind === 'object' && [...(v2.props?.values() ?? [])].some(looksLikeServer))
        return readMap(v2, 'mcp.servers');
      readMap(mcp, 'mcp');
      return;
    }
    case 'goose': {
      const ext = prop(root, 'extensions');
      if (!ext) return;
      if (ext.kind !== 'object')
        return void f('MCP011', 'error', `"extensions" must be a map of extension ids to their settings.`, ext.range);
      for (const [id, node] of ext.props ?? []) {
        const display = prop(node, 'name');
        add(
          ctx,
          typeof display?.value === 'string' && display.value ? display.value : id,
          node,
          node.keyRange ?? node.range,
        );
      }
      return;
    }
    case 'fastmcp':
      readFastmcp(root, { file, location, ctx, result, add, f });
      return;
  }

  function readContinueList(list: PNode) {
    (list.items ?? []).forEach((item, i) => {
      const nameNode = prop(item, 'name');
      let name = typeof nameNode?.value === 'string' ? nameNode.value : '';
      if (!name) {
        name = `#${i + 1}`;
        if (item.kind === 'object')
          f('MCP014', 'error', `MCP server #${i + 1} has no "name"; Continue requires one.`, item.range);
      }
      add(ctx, name, item, nameNode?.range ?? item.range);
    });
  }
}

/** A server entry with `args`, `env` and `headers` cut to MAX_ENTRY_ITEMS (`onCut` when one was). */
function boundedEntry(node: PNode, onCut: () => void): PNode {
  if (node.kind !== 'object' || !node.props) return node;
  let props: Map<string, PNode> | undefined;
  for (const key of ['args', 'env', 'headers']) {
    const n = node.props.get(key);
    if (!n) continue;
    let cut: PNode | undefined;
    if (n.items && n.items.length > MAX_ENTRY_ITEMS) {
      const items = n.items.slice(0, MAX_ENTRY_ITEMS);
      cut = { ...n, items, value: items.map((i) => i.value) };
    } else if (n.props && n.props.size > MAX_ENTRY_ITEMS) {
      const kept = [...n.props].slice(0, MAX_ENTRY_ITEMS);
      cut = { ...n, props: new Map(kept), value: Object.fromEntries(kept.map(([k, v]) => [k, v.value])) };
    }
    if (cut) {
      props ??= new Map(node.props);
      props.set(key, cut);
      onCut();
    }
  }
  return props ? { ...node, props } : node;
}

/** Strictness of the reader the owning client uses for this file. */
function strictnessFor(location: ConfigLocation, profile: ClientProfile): JsonStrictness {
  if (
    ['vscode-mcp', 'vscode-settings', 'vscode-workspace', 'vscode-devcontainer', 'zed', 'opencode'].includes(
      location.format,
    )
  )
    return 'jsonc';
  if (location.format === 'fastmcp' || location.format === 'continue' || location.format === 'claude-json')
    return 'strict';
  return profile.strictness;
}

function finish(server: ServerConfig, ctx: EntryContext, vars: VariableContext, accepted: boolean) {
  if (!accepted) server.valid = false;
  server.unresolved = resolveVariables(server, { ...vars, workspaceFolder: ctx.workspaceFolder }).unresolved;
}

function normalizeDir(d: string): string {
  let end = d.length;
  while (end > 0 && (d[end - 1] === '/' || d[end - 1] === '\\')) end--;
  return d.slice(0, end).replace(/\\/g, '/').toLowerCase();
}
