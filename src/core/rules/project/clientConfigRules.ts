import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { parseConfigText } from '../../config/parse';
import type { ConfigLocation } from '../../config/types';
import type { Fix, TextEdit } from '../../model';
import type { ProjectContext, RuleHit } from '../types';
import { secretRules } from './secretRules';
import { LineIndex } from './text';

/**
 * Rules on MCP client launch configurations (`.vscode/mcp.json`, `.mcp.json`, `.cursor/mcp.json`,
 * `claude_desktop_config.json`): the config checks (MCP0xx, as discovery reports them), MCP069
 * (bare interpreter), MCP603 (SSE transport) and MCP505 (literal secrets in `env`/`headers`).
 */

export type ClientConfigKind = 'vscode' | 'claude-code' | 'cursor' | 'claude-desktop';

/** Which client reads this file, or undefined when it is not a client config. */
export function clientConfigKind(file: string): ClientConfigKind | undefined {
  const norm = file.replace(/\\/g, '/');
  if (norm.endsWith('/.vscode/mcp.json')) return 'vscode';
  if (norm.endsWith('/.cursor/mcp.json')) return 'cursor';
  if (basename(norm) === '.mcp.json') return 'claude-code';
  if (basename(norm) === 'claude_desktop_config.json') return 'claude-desktop';
  return undefined;
}

/** The config format and client of each kind of file, as discovery reads it. */
const LOCATION: Record<ClientConfigKind, Pick<ConfigLocation, 'client' | 'format'>> = {
  vscode: { client: 'vscode', format: 'vscode-mcp' },
  'claude-code': { client: 'claude-code', format: 'mcp-servers' },
  cursor: { client: 'cursor', format: 'mcp-servers' },
  'claude-desktop': { client: 'claude-desktop', format: 'mcp-servers' },
};

/**
 * Client config findings. The file goes through the same parser and checks as discovery
 * (`mcp-doctor list`, the editor's config diagnostics), so one problem has one code everywhere;
 * the checks that need the project around the file (interpreter, literal secrets, SSE) are added.
 */
export function clientConfigRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const kind = clientConfigKind(file);
  if (!kind) return [];
  const workspace =
    kind === 'vscode' || kind === 'cursor'
      ? dirname(dirname(file))
      : kind === 'claude-code'
        ? dirname(file)
        : undefined;
  const location: ConfigLocation = {
    file,
    ...LOCATION[kind],
    scope: kind === 'claude-desktop' ? 'user' : 'workspace',
    workspaceFolder: workspace,
  };
  const parsed = parseConfigText(file, text, location, {
    home: homedir(),
    env: process.env,
    platform: process.platform,
    checkCommands: true,
  });
  const hits: RuleHit[] = parsed.findings.map((f) => ({
    ruleId: f.code,
    range: f.range,
    message: f.message,
    severity: f.severity,
    fixes: f.fixes,
    data: f.data,
    related: f.related,
  }));
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return hits;
  const lines = new LineIndex(text);
  const rangeOf = (n: Node) => lines.range(n.offset, n.offset + n.length);
  const editOf = (n: Node, value: unknown): TextEdit => ({ file, range: rangeOf(n), newText: JSON.stringify(value) });
  const serversNode =
    findNodeAtLocation(root, [kind === 'vscode' ? 'servers' : 'mcpServers']) ??
    findNodeAtLocation(root, [kind === 'vscode' ? 'mcpServers' : 'servers']);
  if (!serversNode || serversNode.type !== 'object') return hits;

  for (const prop of serversNode.children ?? []) {
    const nameNode = prop.children?.[0];
    const entry = prop.children?.[1];
    if (!nameNode || !entry || entry.type !== 'object') continue;
    const name = String(nameNode.value);
    const get = (key: string) => findNodeAtLocation(entry, [key]);

    const type = get('type');
    const url = get('url');
    if (type?.type === 'string' && type.value === 'sse') {
      hits.push(
        sseHit(name, rangeOf(type), 'uses the deprecated HTTP+SSE transport', [
          { title: 'Use Streamable HTTP ("type": "http")', edits: [editOf(type, 'http')], preferred: true },
        ]),
      );
    } else if (url?.type === 'string' && /\/sse\/?(\?|$)/.test(String(url.value))) {
      hits.push(sseHit(name, rangeOf(url), `points at an SSE endpoint (${url.value})`));
    }

    const command = get('command');
    if (command?.type === 'string' && workspace) {
      const hit = bareInterpreterHit(name, String(command.value), rangeOf(command), workspace, ctx, kind, (v) =>
        editOf(command, v),
      );
      if (hit) hits.push(hit);
    }
  }
  // Token shapes elsewhere in the file (URLs, other keys...), minus the values the checks reported.
  const reported = new Set(
    parsed.findings.filter((f) => f.code === 'MCP505').map((f) => lines.offsetAt(f.range.start)),
  );
  hits.push(...secretRules(file, text, { language: 'config', skip: reported }));
  return hits;
}

/**
 * `python`/`python3` from PATH in a project that has its own environment: the client starts
 * whatever Python comes first on its PATH, where `mcp`/`fastmcp` are usually not installed.
 */
function bareInterpreterHit(
  name: string,
  cmd: string,
  range: RuleHit['range'],
  workspace: string,
  ctx: ProjectContext,
  kind: ClientConfigKind,
  edit: (value: string) => TextEdit,
): RuleHit | undefined {
  const bare = basename(cmd).replace(/\.(exe|cmd)$/i, '');
  if ((bare !== 'python' && bare !== 'python3') || isAbsolute(cmd)) return undefined;
  const venv = ['.venv', 'venv'].find((v) => existsSync(join(workspace, v)));
  const managed =
    venv ||
    (ctx.files ?? []).some((f) => /(uv\.lock|poetry\.lock|pyproject\.toml)$/.test(f)) ||
    ['uv.lock', 'poetry.lock', 'pyproject.toml'].some((f) => existsSync(join(workspace, f)));
  if (!managed) return undefined;
  const interpreter =
    process.platform === 'win32'
      ? `\${workspaceFolder}/${venv ?? '.venv'}/Scripts/python.exe`
      : `\${workspaceFolder}/${venv ?? '.venv'}/bin/python`;
  return {
    ruleId: 'MCP069',
    range,
    message: `Server "${name}": "${cmd}" is whatever Python is first on the client's PATH, not this project's environment, so imports such as mcp/fastmcp fail ("No module named ..."). Use the project interpreter (${venv ?? '.venv'}) or "uv" with args ["run", ...].`,
    fixes:
      venv && kind === 'vscode'
        ? [{ title: 'Use the project virtual environment', edits: [edit(interpreter)], preferred: true }]
        : undefined,
    downgrade: true,
  };
}

function sseHit(name: string, range: RuleHit['range'], what: string, fixes?: Fix[]): RuleHit {
  return {
    ruleId: 'MCP603',
    range,
    message: `Server "${name}" ${what}. HTTP+SSE was replaced by Streamable HTTP in the 2025-03-26 protocol revision; clients are dropping it and it cannot scale horizontally. Serve Streamable HTTP (usually at /mcp) and use "type": "http".`,
    fixes,
  };
}
