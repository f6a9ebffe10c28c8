import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { findNodeAtLocation, modify, parseTree, type Node } from 'jsonc-parser';
import type { Fix, TextEdit } from '../../model';
import type { ProjectContext, RuleHit } from '../types';
import { secretRules } from './secretRules';
import { LineIndex } from './text';

/**
 * Rules on MCP client launch configurations (`.vscode/mcp.json`, `.mcp.json`, `.cursor/mcp.json`,
 * `claude_desktop_config.json`): MCP607 (the entry will not start the server), MCP603 (SSE
 * transport) and MCP505 (literal secrets in `env`/`headers`).
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

/** Keys a server entry may have (union over the supported clients). */
const KNOWN_KEYS = new Set([
  'type',
  'command',
  'args',
  'env',
  'envFile',
  'cwd',
  'url',
  'headers',
  'dev',
  'disabled',
  'timeout',
  'alwaysAllow',
  'autoApprove',
  'description',
  'name',
  'transportType',
  'oauth',
  'gallery',
  'version',
]);
/** Keys people write that clients silently ignore, with the one they meant. */
const WRONG_KEYS: Record<string, string> = {
  envVars: 'env',
  environment: 'env',
  environmentVariables: 'env',
  transport: 'type',
  workingDirectory: 'cwd',
  workingDir: 'cwd',
  arguments: 'args',
  cmd: 'command',
  endpoint: 'url',
};
const WINDOWS_SHIMS = new Set(['npx', 'npm', 'pnpm', 'yarn', 'bunx', 'tsx']);
const SCRIPT_EXT = /\.(py|js|mjs|cjs|ts|mts)$/i;
const SHELL_VAR =
  /\$\{(?!env:|input:|workspaceFolder|userHome|pathSeparator|config:|command:|cwd\})([A-Za-z_][A-Za-z0-9_]*)\}|%([A-Za-z_][A-Za-z0-9_]*)%|^\$([A-Z_][A-Z0-9_]*)/;

export function clientConfigRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const kind = clientConfigKind(file);
  if (!kind) return [];
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return [];
  const lines = new LineIndex(text);
  const hits: RuleHit[] = [];
  const rangeOf = (n: Node) => lines.range(n.offset, n.offset + n.length);
  const editOf = (n: Node, value: unknown): TextEdit => ({ file, range: rangeOf(n), newText: JSON.stringify(value) });
  const keyNode = (prop: Node | undefined) =>
    prop?.parent?.type === 'property' ? prop.parent.children![0] : undefined;
  const workspace =
    kind === 'vscode' || kind === 'cursor'
      ? dirname(dirname(file))
      : kind === 'claude-code'
        ? dirname(file)
        : undefined;

  // Top-level key: VS Code reads `servers`, the others `mcpServers`; the wrong one is ignored silently.
  const expected = kind === 'vscode' ? 'servers' : 'mcpServers';
  const other = kind === 'vscode' ? 'mcpServers' : 'servers';
  let serversNode = findNodeAtLocation(root, [expected]);
  const wrong = findNodeAtLocation(root, [other]);
  if (wrong && !serversNode) {
    const key = keyNode(wrong)!;
    hits.push({
      ruleId: 'MCP607',
      range: rangeOf(key),
      message: `${kind === 'vscode' ? 'VS Code' : 'This client'} reads servers from "${expected}", not "${other}", so every server in this file is silently ignored. Rename the key to "${expected}".`,
      fixes: [{ title: `Rename "${other}" to "${expected}"`, edits: [editOf(key, expected)], preferred: true }],
    });
    serversNode = wrong;
  }
  if (!serversNode || serversNode.type !== 'object') return hits;

  const secretOffsets = new Set<number>();
  for (const prop of serversNode.children ?? []) {
    const nameNode = prop.children?.[0];
    const entry = prop.children?.[1];
    if (!nameNode || !entry || entry.type !== 'object') continue;
    const name = String(nameNode.value);
    const get = (key: string) => findNodeAtLocation(entry, [key]);
    for (const p of entry.children ?? []) {
      const k = p.children?.[0];
      if (!k) continue;
      const key = String(k.value);
      if (KNOWN_KEYS.has(key)) continue;
      const meant = WRONG_KEYS[key];
      if (!meant) continue;
      hits.push({
        ruleId: 'MCP607',
        range: rangeOf(k),
        message: `Server "${name}": "${key}" is not a server setting and is ignored, so ${meant === 'env' ? 'its variables never reach the server' : 'the server starts without it'}. Use "${meant}".`,
        fixes: get(meant) ? undefined : [{ title: `Rename to "${meant}"`, edits: [editOf(k, meant)], preferred: true }],
      });
    }

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
    const cwd = get('cwd');
    const args = get('args');
    if (command?.type === 'string') {
      const cmd = String(command.value);
      const bare = basename(cmd).replace(/\.(exe|cmd)$/i, '');
      if (WINDOWS_SHIMS.has(cmd)) {
        hits.push({
          ruleId: 'MCP607',
          range: rangeOf(command),
          message: `Server "${name}": on Windows "${cmd}" is a .cmd shim that clients cannot spawn directly (spawn ${cmd} ENOENT / EINVAL). Use "cmd" with args ["/c", "${cmd}", ...] or an absolute path for Windows users.`,
          downgrade: true,
          data: { platform: 'windows' },
        });
      } else if ((bare === 'python' || bare === 'python3') && !isAbsolute(cmd) && workspace) {
        const venv = ['.venv', 'venv'].find((v) => existsSync(join(workspace, v)));
        const managed =
          venv ||
          (ctx.files ?? []).some((f) => /(uv\.lock|poetry\.lock|pyproject\.toml)$/.test(f)) ||
          ['uv.lock', 'poetry.lock', 'pyproject.toml'].some((f) => existsSync(join(workspace, f)));
        if (managed) {
          const interpreter =
            process.platform === 'win32'
              ? `\${workspaceFolder}/${venv ?? '.venv'}/Scripts/python.exe`
              : `\${workspaceFolder}/${venv ?? '.venv'}/bin/python`;
          hits.push({
            ruleId: 'MCP607',
            range: rangeOf(command),
            message: `Server "${name}": "${cmd}" is whatever Python is first on the client's PATH, not this project's environment, so imports such as mcp/fastmcp fail ("No module named ..."). Use the project interpreter (${venv ?? '.venv'}) or "uv" with args ["run", ...].`,
            fixes:
              venv && kind === 'vscode'
                ? [
                    {
                      title: 'Use the project virtual environment',
                      edits: [editOf(command, interpreter)],
                      preferred: true,
                    },
                  ]
                : undefined,
            downgrade: true,
          });
        }
      }
    }
    // Package runners (npx, pnpm dlx...) take package names; only check interpreter-style launches.
    if (args?.type === 'array' && command?.type === 'string' && !WINDOWS_SHIMS.has(String(command.value))) {
      for (const arg of args.children ?? []) {
        if (arg.type !== 'string') continue;
        const value = String(arg.value);
        if (!SCRIPT_EXT.test(value) || value.includes('${') || isAbsolute(value) || /^-/.test(value)) continue;
        const base =
          cwd?.type === 'string' ? String(cwd.value).replace('${workspaceFolder}', workspace ?? '') : workspace;
        const target = base && !base.includes('${') ? resolve(base, value) : undefined;
        if (target && !existsSync(target)) {
          hits.push({
            ruleId: 'MCP607',
            range: rangeOf(arg),
            message: `Server "${name}": "${value}" does not exist (looked for ${target}); the client will start the interpreter and it exits at once ("Connection closed"). Fix the path.`,
          });
        } else if (!cwd) {
          hits.push({
            ruleId: 'MCP607',
            range: rangeOf(arg),
            message: `Server "${name}": the relative path "${value}" is resolved against the client's working directory, which is not this folder for many clients (Claude Desktop starts servers in /). Use an absolute path${kind === 'vscode' ? ' or "${workspaceFolder}/' + value + '"' : ''}, or set "cwd".`,
            fixes:
              kind === 'vscode'
                ? [
                    {
                      title: `Use \${workspaceFolder}/${value}`,
                      edits: [editOf(arg, `\${workspaceFolder}/${value}`)],
                      preferred: true,
                    },
                  ]
                : undefined,
            downgrade: true,
          });
        }
      }
    }

    // Env values and headers: shell-style variables are not expanded; literal secrets leak.
    for (const section of ['env', 'headers']) {
      const obj = get(section);
      if (obj?.type !== 'object') continue;
      for (const p of obj.children ?? []) {
        const k = p.children?.[0];
        const v = p.children?.[1];
        if (!k || v?.type !== 'string') continue;
        const key = String(k.value);
        const value = String(v.value);
        const shell = SHELL_VAR.exec(value);
        if (shell && !(kind === 'claude-code' && shell[1])) {
          const variable = shell[1] ?? shell[2] ?? shell[3];
          hits.push({
            ruleId: 'MCP607',
            range: rangeOf(v),
            message: `Server "${name}": ${section}.${key} uses the shell-style variable "${shell[0]}", which this client passes through literally. ${kind === 'vscode' || kind === 'cursor' ? `Write "\${env:${variable}}".` : 'Write the resolved value or set it in the environment the client starts from.'}`,
            fixes:
              kind === 'vscode' || kind === 'cursor'
                ? [
                    {
                      title: `Use \${env:${variable}}`,
                      edits: [editOf(v, value.replace(shell[0], `\${env:${variable}}`))],
                      preferred: true,
                    },
                  ]
                : undefined,
            downgrade: true,
          });
          continue;
        }
        const secretName = /(key|token|secret|passw(or)?d|authorization|credential)/i.test(key);
        const literal = value && !/\$\{(input|env):/.test(value) && !/^\$\{?[A-Z_]+\}?$/.test(value);
        if (secretName && literal && value.length >= 8 && !/^(Bearer\s+)?\$\{/.test(value)) {
          secretOffsets.add(v.offset + 1);
          hits.push({
            ruleId: 'MCP505',
            range: lines.range(v.offset + 1, v.offset + v.length - 1),
            message: `Server "${name}": ${section}.${key} holds a literal secret. MCP configs get committed and shared; ${kind === 'vscode' ? 'use an "inputs" entry with "password": true and "${input:' + inputId(key) + '}"' : 'read it from the environment instead'}, and revoke the exposed value.`,
            fixes: kind === 'vscode' ? inputFix(file, text, lines, v, key) : undefined,
          });
        }
      }
    }
  }
  // Token shapes elsewhere in the file (args, URLs...), minus the env values reported above.
  hits.push(...secretRules(file, text, { language: 'config', skip: secretOffsets }));
  return hits;
}

function sseHit(name: string, range: RuleHit['range'], what: string, fixes?: Fix[]): RuleHit {
  return {
    ruleId: 'MCP603',
    range,
    message: `Server "${name}" ${what}. HTTP+SSE was replaced by Streamable HTTP in the 2025-03-26 protocol revision; clients are dropping it and it cannot scale horizontally. Serve Streamable HTTP (usually at /mcp) and use "type": "http".`,
    fixes,
  };
}

function inputId(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Replace the literal with `${input:id}` and declare the input (password) in `inputs`. */
function inputFix(file: string, text: string, lines: LineIndex, value: Node, key: string): Fix[] {
  const id = inputId(key);
  const root = parseTree(text, [], { allowTrailingComma: true });
  const inputs = root ? findNodeAtLocation(root, ['inputs']) : undefined;
  const exists =
    inputs?.type === 'array' && (inputs.children ?? []).some((c) => findNodeAtLocation(c, ['id'])?.value === id);
  const edits: TextEdit[] = [
    { file, range: lines.range(value.offset, value.offset + value.length), newText: JSON.stringify(`\${input:${id}}`) },
  ];
  if (!exists) {
    const insert = modify(
      text,
      ['inputs', -1],
      { type: 'promptString', id, description: key, password: true },
      { formattingOptions: { insertSpaces: true, tabSize: 2 } },
    );
    for (const e of insert) edits.push({ file, range: lines.range(e.offset, e.offset + e.length), newText: e.content });
  }
  return [{ title: `Prompt for ${key} (stored securely) instead`, edits, preferred: true }];
}
