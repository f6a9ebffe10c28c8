import type { Finding, Range } from '../model';
import type { ClientProfile } from './clients';
import { suggestType } from './clients';
import { closest, finding, replaceFix } from './findings';
import { describeKind, prop, type PNode } from './pnode';
import type { ConfigScope, ServerConfig, Transport } from './types';

/** Per-file context shared by every entry of one config file. */
export interface EntryContext {
  file: string;
  profile: ClientProfile;
  scope: ConfigScope;
  workspaceFolder?: string;
  findings: Finding[];
}

/** Value nodes of a normalized server, so later checks can point at the exact text. */
interface ServerFields {
  command?: PNode;
  args: PNode[];
  env: Map<string, PNode>;
  headers: Map<string, PNode>;
  url?: PNode;
  cwd?: PNode;
  envFile?: PNode;
  /** The entry's own node (or the key, for synthesized entries). */
  entry: PNode;
}

export interface NormalizedEntry {
  server: ServerConfig;
  fields: ServerFields;
}

const KNOWN_KEYS = [
  'command',
  'args',
  'env',
  'cwd',
  'url',
  'headers',
  'type',
  'envFile',
  'disabled',
  'enabled',
  'timeout',
];
/** Real keys of some client that look like typos of KNOWN_KEYS; never flagged. */
/** Clients that read only the common keys, so another tool's name for one is ignored there. */
const MEANT_KEYS_CLIENTS = new Set(['vscode', 'cursor', 'claude-code', 'claude-desktop']);
/** Keys people write that those clients silently ignore, with the one they meant. */
const MEANT_KEYS: Record<string, string> = {
  envVars: 'env',
  environment: 'env',
  environmentVariables: 'env',
  workingDirectory: 'cwd',
  workingDir: 'cwd',
  arguments: 'args',
  cmd: 'command',
  endpoint: 'url',
};
const OTHER_KEYS = new Set([
  'uri',
  'cmd',
  'envs',
  'environment',
  'serverUrl',
  'httpUrl',
  'transportType',
  'name',
  'description',
  'trust',
  'tools',
  'oauth',
  'auth',
  'dev',
  'sandbox',
  'settings',
  'remote',
  'bundled',
  'display_name',
  'available_tools',
  'env_keys',
  'env_vars',
  'http_headers',
  'env_http_headers',
  'bearer_token_env_var',
  'enabled_tools',
  'disabled_tools',
  'startup_timeout_sec',
  'tool_timeout_sec',
  'alwaysAllow',
  'autoApprove',
  'disabledTools',
  'watchPaths',
  'includeTools',
  'excludeTools',
  'headersHelper',
  'alwaysLoad',
  'requestOptions',
  'connectionTimeout',
  'sandboxEnabled',
  'source',
  'code',
  'dependencies',
  'timeouts',
  'gallery',
  'version',
]);

/**
 * Turns one server entry (any JSON/YAML/TOML dialect) into a `ServerConfig`, reporting schema
 * problems (wrong types, missing or conflicting transport, unknown `type`) as findings.
 */
export function normalizeEntry(ctx: EntryContext, name: string, node: PNode, keyRange: Range): NormalizedEntry {
  const { profile, file } = ctx;
  const f = (
    code: string,
    severity: Finding['severity'],
    message: string,
    range: Range,
    data?: Record<string, unknown>,
    fixes?: Finding['fixes'],
  ) => ctx.findings.push(finding(code, severity, message, file, range, { server: name, data, fixes }));
  const fields: ServerFields = { args: [], env: new Map(), headers: new Map(), entry: node };
  const server: ServerConfig = {
    id: `${profile.id}:${file}#${name}`,
    name,
    client: profile.id,
    file,
    scope: ctx.scope,
    range: keyRange,
    transport: 'unknown',
    disabled: false,
    unresolved: [],
    raw: node.value,
    interpolation: profile.interpolation,
    valid: true,
  };
  if (ctx.workspaceFolder) server.workspaceFolder = ctx.workspaceFolder;

  if (node.kind !== 'object') {
    server.valid = false;
    f(
      'MCP013',
      'error',
      `Server "${name}" is ${describeKind(node)}, not an object. ${profile.label} skips it. Write it as { "command": "...", "args": [...] } (or { "url": "..." } for a remote server).`,
      node.range,
      { got: node.kind },
    );
    return { server, fields };
  }

  // --- command (+ args folded into it for opencode / legacy Zed) ---------------------------
  const commandKey = profile.id === 'goose' ? 'cmd' : 'command';
  const cmd = prop(node, commandKey);
  if (cmd) {
    if (cmd.kind === 'string') {
      fields.command = cmd;
      server.command = cmd.value as string;
      if (!server.command.trim()) {
        server.valid = false;
        f(
          'MCP021',
          'error',
          `Server "${name}" has an empty "${commandKey}". Put the executable to run (e.g. "npx", "uvx", "python").`,
          cmd.range,
        );
      }
    } else if (cmd.kind === 'array' && profile.id === 'opencode') {
      const items = cmd.items ?? [];
      const bad = items.find((i) => i.kind !== 'string');
      if (bad || !items.length) {
        server.valid = false;
        f(
          'MCP020',
          'error',
          `Server "${name}": opencode expects "command" to be a non-empty array of strings (executable first, then its arguments).`,
          (bad ?? cmd).range,
        );
      } else {
        fields.command = items[0];
        server.command = items[0].value as string;
        fields.args = items.slice(1);
        server.args = items.slice(1).map((i) => i.value as string);
      }
    } else if (cmd.kind === 'object' && profile.id === 'zed' && prop(cmd, 'path')?.kind === 'string') {
      // Legacy Zed: "command": { "path", "args", "env" }.
      const p = prop(cmd, 'path')!;
      fields.command = p;
      server.command = p.value as string;
      readArgs(prop(cmd, 'args'));
      readEnv(prop(cmd, 'env'));
    } else {
      server.valid = false;
      const hint =
        cmd.kind === 'array'
          ? ` Put the executable in "${commandKey}" and the rest in "args": "${commandKey}": ${JSON.stringify(String((cmd.value as unknown[])[0] ?? ''))}, "args": ${JSON.stringify((cmd.value as unknown[]).slice(1))}.`
          : ` Write the executable as a string, e.g. "${commandKey}": "npx".`;
      f(
        'MCP020',
        'error',
        `Server "${name}": "${commandKey}" must be a string, got ${describeKind(cmd)}; ${profile.label} cannot start it.${hint}`,
        cmd.range,
        { got: cmd.kind },
      );
    }
  }

  function readArgs(a: PNode | undefined) {
    if (!a) return;
    if (a.kind === 'array') {
      const ok: PNode[] = [];
      for (const item of a.items ?? []) {
        if (item.kind === 'string') ok.push(item);
        else {
          server.valid = false;
          const quoted =
            item.kind === 'number' || item.kind === 'boolean' ? JSON.stringify(String(item.value)) : undefined;
          f(
            'MCP023',
            'error',
            `Server "${name}": every item of "args" must be a string, got ${describeKind(item)}. Quote it${quoted ? ` (${quoted})` : ''}.`,
            item.range,
            { got: item.kind },
            quoted && item.range.start.line === item.range.end.line
              ? [replaceFix(`Quote as ${quoted}`, file, item.range, quoted)]
              : undefined,
          );
        }
      }
      fields.args = ok;
      server.args = ok.map((i) => i.value as string);
      return;
    }
    server.valid = false;
    if (a.kind === 'string') {
      const parts = String(a.value).trim().split(/\s+/).filter(Boolean);
      f(
        'MCP022',
        'error',
        `Server "${name}": "args" must be an array of strings, got a single string. ${profile.label} does not split it on spaces; write one item per argument: ${JSON.stringify(parts)}.`,
        a.range,
        { got: 'string', suggestion: parts },
        [replaceFix('Split into an array of arguments', file, a.range, JSON.stringify(parts), false)],
      );
    } else {
      f('MCP022', 'error', `Server "${name}": "args" must be an array of strings, got ${describeKind(a)}.`, a.range, {
        got: a.kind,
      });
    }
  }

  function readStringMap(
    m: PNode | undefined,
    label: string,
    target: Map<string, PNode>,
    notObjectCode: string,
    valueCode: string,
    allowNonString: boolean,
  ): Record<string, string> | undefined {
    if (!m) return undefined;
    if (m.kind !== 'object') {
      server.valid = false;
      f(
        notObjectCode,
        'error',
        `Server "${name}": "${label}" must be an object of NAME: "value" pairs, got ${describeKind(m)}.`,
        m.range,
        { got: m.kind },
      );
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, v] of m.props ?? []) {
      if (v.kind === 'string') {
        out[k] = v.value as string;
        target.set(k, v);
        continue;
      }
      if (allowNonString && (v.kind === 'number' || v.kind === 'null')) {
        if (v.kind === 'number') out[k] = String(v.value);
        continue;
      }
      server.valid = false;
      const replacement =
        v.kind === 'null'
          ? '""'
          : v.kind === 'number' || v.kind === 'boolean'
            ? JSON.stringify(String(v.value))
            : undefined;
      f(
        valueCode,
        'error',
        `Server "${name}": ${label}.${k} must be a string, got ${describeKind(v)}.${
          profile.id === 'vscode' ? '' : ` Only VS Code accepts numbers here; ${profile.label} rejects the entry.`
        } Quote the value${replacement ? `: ${replacement}` : ''}.`,
        v.range,
        { key: k, got: v.kind },
        replacement && v.range.start.line === v.range.end.line
          ? [replaceFix(`Quote as ${replacement}`, file, v.range, replacement)]
          : undefined,
      );
    }
    return out;
  }

  function readEnv(e: PNode | undefined) {
    const env = readStringMap(e, 'env', fields.env, 'MCP024', 'MCP025', profile.envAllowsNonString);
    if (env) server.env = { ...(server.env ?? {}), ...env };
  }

  if (!fields.args.length) readArgs(prop(node, 'args'));
  const envKey = ['env', 'envs', 'environment'].find((k) => prop(node, k));
  if (envKey) readEnv(prop(node, envKey));

  const headersNode =
    profile.id === 'continue'
      ? (prop(prop(node, 'requestOptions'), 'headers') ?? prop(node, 'headers'))
      : prop(node, profile.id === 'codex' ? 'http_headers' : 'headers');
  const headers = readStringMap(headersNode, 'headers', fields.headers, 'MCP026', 'MCP027', false);
  if (headers) server.headers = headers;

  for (const key of ['cwd', 'envFile'] as const) {
    const n = prop(node, key);
    if (!n) continue;
    if (n.kind === 'string') {
      fields[key] = n;
      server[key] = n.value as string;
    } else {
      server.valid = false;
      f('MCP028', 'error', `Server "${name}": "${key}" must be a string path, got ${describeKind(n)}.`, n.range, {
        field: key,
      });
    }
  }

  // --- disabled / enabled -------------------------------------------------------------------
  for (const key of ['disabled', 'enabled'] as const) {
    const n = prop(node, key);
    if (!n) continue;
    if (n.kind === 'boolean') {
      server.disabled = key === 'disabled' ? (n.value as boolean) : !(n.value as boolean);
      continue;
    }
    server.valid = false;
    const s = String(n.value).trim().toLowerCase();
    const asBool =
      s === 'true' || s === '1' || s === 'yes'
        ? 'true'
        : s === 'false' || s === '0' || s === 'no'
          ? 'false'
          : undefined;
    f(
      'MCP029',
      'error',
      `Server "${name}": "${key}" must be true or false, got ${describeKind(n)}.${
        n.kind === 'string'
          ? ` A non-empty string is truthy in JavaScript, so ${JSON.stringify(n.value)} may act as true.`
          : ''
      } Write ${asBool ?? 'true or false'} without quotes.`,
      n.range,
      { field: key, got: n.kind },
      asBool && n.range.start.line === n.range.end.line
        ? [replaceFix(`Use ${asBool}`, file, n.range, asBool)]
        : undefined,
    );
    // Mirror JavaScript truthiness, which is what most clients do with a non-boolean.
    const truthy = Boolean(n.value) && n.value !== 0;
    server.disabled = key === 'disabled' ? truthy : !truthy;
  }

  // --- URL ----------------------------------------------------------------------------------
  const urlNodes = profile.urlKeys.map((k) => [k, prop(node, k)] as const).filter(([, n]) => n) as [string, PNode][];
  for (const [k, n] of urlNodes) {
    if (n.kind !== 'string') {
      server.valid = false;
      f('MCP028', 'error', `Server "${name}": "${k}" must be a URL string, got ${describeKind(n)}.`, n.range, {
        field: k,
      });
    }
  }
  const urlEntry = urlNodes.find(([, n]) => n.kind === 'string');
  if (urlEntry) {
    fields.url = urlEntry[1];
    server.url = urlEntry[1].value as string;
  }
  if (profile.id === 'gemini-cli' && urlNodes.length > 1) {
    f(
      'MCP016',
      'warning',
      `Server "${name}" sets both "httpUrl" and "url"; Gemini CLI uses "httpUrl" and ignores "url". Keep one ("url" with "type": "http" is the current form).`,
      urlNodes[1][1].keyRange ?? urlNodes[1][1].range,
    );
  }

  // --- transport ----------------------------------------------------------------------------
  const typeKey = prop(node, 'type')
    ? 'type'
    : profile.id === 'cline' && prop(node, 'transportType')
      ? 'transportType'
      : undefined;
  const typeNode = typeKey ? prop(node, typeKey) : undefined;
  let declared: Transport | undefined;
  if (typeNode) {
    const known = Object.keys(profile.types);
    const value = typeNode.kind === 'string' ? (typeNode.value as string) : undefined;
    const legacy = typeKey === 'transportType' && value === 'http' ? 'http' : undefined;
    if (value !== undefined && (value in profile.types || legacy)) {
      declared = legacy ?? profile.types[value];
    } else if (known.length === 0) {
      // Clients without a `type` field: ignore it unless it contradicts the fields.
      declared = undefined;
    } else {
      server.valid = false;
      const suggest = value === undefined ? undefined : suggestType(profile, value);
      f(
        'MCP018',
        'error',
        `Server "${name}": ${profile.label} does not know "${typeKey}": ${JSON.stringify(typeNode.value)}. Accepted values: ${known.map((k) => `"${k}"`).join(', ')}.${
          suggest ? ` Use "${suggest}" (${JSON.stringify(typeNode.value)} is another client's spelling).` : ''
        }`,
        typeNode.range,
        { value: typeNode.value, suggest, accepted: known },
        suggest && typeNode.range.start.line === typeNode.range.end.line
          ? [replaceFix(`Change to "${suggest}"`, file, typeNode.range, JSON.stringify(suggest))]
          : undefined,
      );
    }
  }

  const hasCommand = Boolean(cmd);
  const hasUrl = urlNodes.length > 0;
  const extensionOnly = profile.id === 'zed' && !hasCommand && !hasUrl && prop(node, 'settings');
  const gooseOther = profile.id === 'goose' && declared === 'unknown';
  if (extensionOnly || gooseOther) {
    server.transport = 'unknown';
    f(
      'MCP036',
      'info',
      `Server "${name}" is provided by ${profile.label} itself (${extensionOnly ? 'a Zed extension' : `type "${String(typeNode?.value)}"`}); there is no command or URL here, so MCP Doctor cannot start it.`,
      keyRange,
    );
    return { server, fields };
  }

  if (hasCommand && hasUrl) {
    const use: Transport = declared && declared !== 'unknown' ? declared : 'http';
    const usesUrl = use !== 'stdio';
    server.transport = use;
    if (!usesUrl) delete server.url;
    else {
      delete server.command;
      delete server.args;
    }
    const rejected = profile.rejectsMixed;
    if (rejected) server.valid = false;
    f(
      'MCP016',
      rejected ? 'error' : 'warning',
      `Server "${name}" sets both "${commandKey}" and "${urlEntry?.[0] ?? 'url'}". ${
        rejected
          ? `${profile.label} rejects an entry that mixes a local command with a remote URL.`
          : `${profile.label} uses ${usesUrl ? 'the URL' : 'the command'} and ignores the other.`
      } MCP Doctor will use the ${usesUrl ? `URL (${use === 'sse' ? 'SSE' : 'Streamable HTTP'})` : 'command (stdio)'}. Keep only one: a local server is started with "${commandKey}", a server you start yourself is reached through "url".`,
      urlEntry?.[1].keyRange ?? keyRange,
      { use: usesUrl ? 'url' : 'command' },
    );
  } else if (hasCommand) {
    server.transport = 'stdio';
    if (declared && declared !== 'stdio' && declared !== 'unknown') {
      server.valid = false;
      f(
        'MCP015',
        'error',
        `Server "${name}" has "type": ${JSON.stringify(typeNode?.value)} but no "${profile.urlKeys[0]}" to connect to; it only has a "${commandKey}". Use "type": "${Object.keys(profile.types).find((k) => profile.types[k] === 'stdio') ?? 'stdio'}" for a local server, or add the URL.`,
        typeNode!.range,
        { declared },
      );
    }
  } else if (hasUrl) {
    if (declared === 'stdio') {
      server.valid = false;
      f(
        'MCP015',
        'error',
        `Server "${name}" has "type": ${JSON.stringify(typeNode?.value)} but no "${commandKey}"; it only has a URL. Remove "type" or set it to the remote transport.`,
        typeNode!.range,
        { declared },
      );
    }
    server.transport = declared && declared !== 'stdio' ? declared : profile.urlDefault;
    if (!typeNode && profile.urlNeedsType) {
      server.valid = false;
      f(
        'MCP017',
        'error',
        `Server "${name}": ${profile.label} needs an explicit "type" ("streamable-http" or "sse") for a URL server.`,
        urlNodes[0][1].keyRange ?? keyRange,
        {},
        [
          {
            title: 'Add "type": "streamable-http"',
            preferred: true,
            edits: [
              {
                file,
                range: { start: urlNodes[0][1].keyRange!.start, end: urlNodes[0][1].keyRange!.start },
                newText: '"type": "streamable-http", ',
              },
            ],
          },
        ],
      );
    } else if (!typeNode && profile.id === 'cline') {
      f(
        'MCP019',
        'info',
        `Server "${name}" has a URL but no "type": Cline then uses the legacy SSE transport. Add "type": "streamableHttp" if the server speaks Streamable HTTP.`,
        urlNodes[0][1].keyRange ?? keyRange,
      );
    }
  } else {
    server.valid = false;
    const empty = (node.props?.size ?? 0) === 0;
    f(
      'MCP015',
      'error',
      `Server "${name}" ${empty ? 'is empty' : `has neither "${commandKey}" nor ${profile.urlKeys.map((k) => `"${k}"`).join('/')}`}: ${profile.label} cannot start or reach it. Add "${commandKey}" (with "args") for a local server, or "${profile.urlKeys[0]}" for a remote one.`,
      keyRange,
      { empty },
    );
  }
  if (typeNode && declared === 'unknown' && server.transport !== 'unknown') server.transport = 'unknown';
  if (
    typeNode &&
    server.valid === false &&
    !declared &&
    Object.keys(profile.types).length &&
    !(String(typeNode.value) in profile.types)
  )
    server.transport = 'unknown';

  // --- naming and unit quirks ---------------------------------------------------------------
  if (profile.id === 'claude-code' && name === 'workspace') {
    f(
      'MCP033',
      'warning',
      `Claude Code reserves the server name "workspace" and skips this entry. Rename it.`,
      keyRange,
    );
  }
  if (profile.id === 'gemini-cli' && name.includes('_')) {
    f(
      'MCP034',
      'warning',
      `Gemini CLI server names should not contain "_": tool names become mcp_<server>_<tool> and the policy engine splits on the first underscore. Use "${name.replace(/_/g, '-')}".`,
      keyRange,
    );
  }
  const timeout = prop(node, 'timeout');
  if (timeout?.kind === 'number') {
    const t = timeout.value as number;
    if (['cline', 'roo', 'zed', 'goose'].includes(profile.id) && t > 3600) {
      f(
        'MCP030',
        'warning',
        `Server "${name}": ${profile.label} reads "timeout" in seconds; ${t} is over an hour — probably milliseconds. Use ${Math.max(1, Math.round(t / 1000))}.`,
        timeout.range,
      );
    } else if (['gemini-cli', 'opencode'].includes(profile.id) && t > 0 && t < 1000) {
      f(
        'MCP030',
        'warning',
        `Server "${name}": ${profile.label} reads "timeout" in milliseconds; ${t} ms is too short — probably seconds. Use ${t * 1000}.`,
        timeout.range,
      );
    }
  }
  // Close misspellings of common keys ("agrs", "enviroment"...) and other tools' names for them.
  for (const [k, v] of node.props ?? []) {
    const meant = MEANT_KEYS_CLIENTS.has(profile.id) ? MEANT_KEYS[k] : undefined;
    if (!meant && (KNOWN_KEYS.includes(k) || OTHER_KEYS.has(k) || k.length < 3)) continue;
    const near = meant ?? closest(k, KNOWN_KEYS);
    if (near && near !== k && !node.props?.has(near) && near.toLowerCase() !== k.toLowerCase().replace(/s$/, '')) {
      f(
        'MCP031',
        'warning',
        `Server "${name}": unknown key "${k}" — did you mean "${near}"? ${profile.label} ignores unknown keys.`,
        v.keyRange ?? v.range,
        { key: k, suggest: near },
        v.keyRange ? [replaceFix(`Rename to "${near}"`, file, v.keyRange, JSON.stringify(near))] : undefined,
      );
    }
  }
  return { server, fields };
}
