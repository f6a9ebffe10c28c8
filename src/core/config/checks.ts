import * as path from 'node:path';
import { modify } from 'jsonc-parser';
import type { Finding, Fix, Range, TextEdit } from '../model';
import { closest, finding, replaceFix } from './findings';
import type { EntryContext, NormalizedEntry } from './normalize';
import type { LineIndex, PNode } from './pnode';
import { truncate } from './pnode';
import type { InputDeclaration } from './types';
import { missingScheme } from './urlScheme';
import { findVariables, resolveString, type VariableContext } from './variables';
import { looksLikeRelativePath, scriptArgument } from './scriptPaths';

/** What the checks may consult; everything injectable so tests are deterministic. */
export interface CheckContext extends EntryContext {
  lines: LineIndex;
  /** Declared VS Code inputs (undefined when the file format has none). */
  inputs?: InputDeclaration[];
  /** Where `inputs` lives in the file (VS Code formats), for fixes that declare one. */
  inputsPath?: (string | number)[];
  vars: VariableContext;
  platform: NodeJS.Platform;
  checkCommands: boolean;
  findOnPath: (command: string) => string | undefined;
  fileExists: (p: string) => boolean;
}

interface StringField {
  /** Where in the entry, for messages: `command`, `args[2]`, `env.TOKEN`. */
  where: string;
  value: string;
  node: PNode;
  group: 'command' | 'args' | 'env' | 'headers' | 'url' | 'cwd' | 'envFile';
  key?: string;
}

function stringFields(e: NormalizedEntry): StringField[] {
  const { fields, server } = e;
  const out: StringField[] = [];
  if (fields.command && server.command !== undefined)
    out.push({ where: 'command', value: server.command, node: fields.command, group: 'command' });
  fields.args.forEach(
    (n, i) => typeof n.value === 'string' && out.push({ where: `args[${i}]`, value: n.value, node: n, group: 'args' }),
  );
  for (const [k, n] of fields.env)
    if (typeof n.value === 'string') out.push({ where: `env.${k}`, value: n.value, node: n, group: 'env', key: k });
  for (const [k, n] of fields.headers)
    if (typeof n.value === 'string')
      out.push({ where: `headers.${k}`, value: n.value, node: n, group: 'headers', key: k });
  if (fields.url && typeof fields.url.value === 'string')
    out.push({ where: 'url', value: fields.url.value, node: fields.url, group: 'url' });
  if (fields.cwd && typeof fields.cwd.value === 'string')
    out.push({ where: 'cwd', value: fields.cwd.value, node: fields.cwd, group: 'cwd' });
  if (fields.envFile && typeof fields.envFile.value === 'string')
    out.push({ where: 'envFile', value: fields.envFile.value, node: fields.envFile, group: 'envFile' });
  return out;
}

/** Range of `needle` inside a single-line string node, or the node's range. */
function subRange(lines: LineIndex, node: PNode, needle: string): Range {
  const r = node.range;
  if (r.start.line !== r.end.line || !needle) return r;
  const start = lines.lineStart(r.start.line) + r.start.character;
  const raw = lines.text.slice(start, lines.lineStart(r.start.line) + r.end.character);
  const i = raw.indexOf(needle);
  if (i < 0) return r;
  return {
    start: { line: r.start.line, character: r.start.character + i },
    end: { line: r.start.line, character: r.start.character + i + needle.length },
  };
}

/** Variable, path, secret and command checks for one normalized server. */
export function checkServer(ctx: CheckContext, entry: NormalizedEntry): void {
  const { server } = entry;
  const name = server.name;
  const push = (
    code: string,
    severity: Finding['severity'],
    message: string,
    range: Range,
    data?: Record<string, unknown>,
    fixes?: Finding['fixes'],
  ) => ctx.findings.push(finding(code, severity, message, ctx.file, range, { server: name, data, fixes }));
  const label = ctx.profile.label;
  const style = ctx.profile.interpolation;
  /** Styles that read `${env:NAME}` (so a bare `${NAME}` has an obvious replacement). */
  const envStyle = style === 'vscode' || style === 'cursor' || style === 'roo' || style === 'windsurf';
  const strings = stringFields(entry);

  // --- variables ----------------------------------------------------------------------------
  for (const s of strings) {
    for (const ref of findVariables(s.value, style)) {
      const range = subRange(ctx.lines, s.node, ref.text);
      const env = ctx.vars.env;
      const isSet = (n: string) => env[n] !== undefined;
      switch (ref.kind) {
        case 'input': {
          if (style !== 'vscode') break;
          const ids = (ctx.inputs ?? []).map((i) => i.id);
          if (ids.includes(ref.name)) break;
          const suggest = closest(ref.name, ids);
          push(
            'MCP053',
            'error',
            `Server "${name}": ${s.where} uses \${input:${ref.name}}, but no entry of "inputs" has "id": "${ref.name}"${
              suggest ? ` — did you mean "${suggest}"?` : '.'
            } VS Code cannot prompt for it and will not start the server. ${suggest ? `Change it to \${input:${suggest}}` : `Add { "type": "promptString", "id": "${ref.name}", "description": "...", "password": true } to "inputs"`}.`,
            range,
            { id: ref.name, suggest, declared: ids },
            suggest
              ? [replaceFix(`Change to \${input:${suggest}}`, ctx.file, range, `\${input:${suggest}}`)]
              : undefined,
          );
          break;
        }
        case 'env': {
          if (isSet(ref.name)) break;
          if (style === 'continue') {
            push(
              'MCP052',
              'info',
              `Server "${name}": secret "${ref.name}" is not in the environment; Continue must find it in its secrets store (~/.continue/.env or the hub) or the server gets no value.`,
              range,
              { var: ref.name },
            );
          } else {
            push(
              'MCP050',
              'warning',
              `Server "${name}": ${s.where} uses ${ref.text}, but ${ref.name} is not set in the environment MCP Doctor sees. ${label} would pass ${
                style === 'roo' ? 'the literal text' : 'an empty value'
              }. Set ${ref.name} before starting ${label}, or use an envFile/input.`,
              range,
              { var: ref.name },
            );
          }
          break;
        }
        case 'posix': {
          if (isSet(ref.name) || ref.default !== undefined) break;
          if (style === 'posix') {
            push(
              'MCP051',
              'error',
              `Server "${name}": ${s.where} uses ${ref.text}, but ${ref.name} is not set and has no default. ${label} fails to load the config (some versions pass the literal "${ref.text}"). Set ${ref.name}, or give a default: \${${ref.name}:-value}.`,
              range,
              { var: ref.name },
            );
          } else {
            push(
              'MCP050',
              'warning',
              `Server "${name}": ${s.where} uses ${ref.text}, but ${ref.name} is not set; ${label} ${style === 'gemini' ? 'replaces it with an empty string' : 'passes the placeholder unchanged'}. Set ${ref.name} in the environment.`,
              range,
              { var: ref.name },
            );
          }
          break;
        }
        case 'bare': {
          if (ref.expanded) {
            if (!isSet(ref.name))
              push(
                'MCP050',
                'warning',
                `Server "${name}": ${s.where} uses $${ref.name}, but it is not set; ${label} replaces it with an empty string.`,
                range,
                { var: ref.name },
              );
            break;
          }
          const spelled = style === 'posix' ? `\${${ref.name}}` : `\${env:${ref.name}}`;
          push(
            'MCP056',
            'warning',
            `Server "${name}": ${s.where} contains $${ref.name}, which ${label} does not expand (there is no shell); the server receives the literal text "$${ref.name}". Write ${spelled}.`,
            range,
            { var: ref.name, suggest: spelled },
            [replaceFix(`Change to ${spelled}`, ctx.file, range, spelled)],
          );
          break;
        }
        case 'literal':
          push(
            'MCP055',
            'warning',
            `Server "${name}": ${s.where} contains ${ref.text}, but ${label} does not expand variables; the server receives that text literally. Write the actual value${style === 'codex' ? ' (or forward the variable with env_vars = ["NAME"])' : ''}.`,
            range,
            { var: ref.name },
          );
          break;
        case 'unknown':
          push(
            'MCP054',
            'warning',
            `Server "${name}": ${s.where} contains ${ref.text}, which ${label} does not define; it stays as literal text.${
              envStyle && /^[A-Za-z_]\w*$/.test(ref.name)
                ? ` For the environment variable, write \${env:${ref.name}}.`
                : ''
            }`,
            range,
            { var: ref.name },
            envStyle && /^[A-Za-z_]\w*$/.test(ref.name)
              ? [replaceFix(`Use \${env:${ref.name}}`, ctx.file, range, `\${env:${ref.name}}`)]
              : undefined,
          );
          break;
        case 'vscode-only':
          push(
            'MCP057',
            'info',
            `Server "${name}": ${ref.text} is resolved by VS Code itself when it starts the server; MCP Doctor cannot resolve it outside VS Code.`,
            range,
            { var: ref.name },
          );
          break;
        default:
          break;
      }
    }
  }

  // --- url ----------------------------------------------------------------------------------
  const url = strings.find((s) => s.group === 'url');
  const bare = url && missingScheme(url.value);
  if (url && bare) {
    const r = url.node.range;
    const quote = ctx.lines.text[ctx.lines.lineStart(r.start.line) + r.start.character];
    const at = { line: r.start.line, character: r.start.character + 1 };
    const scheme = bare.suggested.slice(0, bare.suggested.indexOf('//') + 2);
    const other = scheme === 'http://' ? 'https://' : 'http://';
    push(
      'MCP080',
      'error',
      `Server "${name}": url "${truncate(url.value, 80)}" has no scheme. ${label} cannot connect to it (it reads "${truncate(url.value.split(':')[0], 40)}:" as the scheme and the request fails with "unknown scheme"). Add ${scheme}: "${truncate(bare.suggested, 80)}".`,
      r,
      { url: url.value, suggested: bare.suggested },
      r.start.line === r.end.line && (quote === '"' || quote === "'")
        ? [
            replaceFix(`Add "${scheme}"`, ctx.file, { start: at, end: at }, scheme),
            replaceFix(`Add "${other}"`, ctx.file, { start: at, end: at }, other, false),
          ]
        : undefined,
    );
  }

  // --- paths --------------------------------------------------------------------------------
  const pathLike = strings.filter(
    (s) =>
      s.group === 'command' || s.group === 'args' || s.group === 'env' || s.group === 'cwd' || s.group === 'envFile',
  );
  for (const s of pathLike) {
    const tilde = /^~(?=[\\/]|$)|=~(?=[\\/])/.exec(s.value);
    if (tilde) {
      const expanded = s.value.replace(/^~|=~/, (m) => (m.startsWith('=') ? `=${ctx.vars.home}` : ctx.vars.home));
      push(
        'MCP066',
        'warning',
        `Server "${name}": ${s.where} is "${truncate(s.value, 80)}", but "~" is only expanded by a shell and ${label} starts servers without one: the server gets a path that begins with a literal "~". Write the absolute path${style === 'vscode' ? ' or ${userHome}' : ''}.`,
        s.node.range,
        { value: s.value, suggest: expanded },
        s.node.range.start.line === s.node.range.end.line &&
          s.node.kind === 'string' &&
          ctx.lines.text[ctx.lines.lineStart(s.node.range.start.line) + s.node.range.start.character] === '"'
          ? [
              replaceFix(
                `Use ${style === 'vscode' ? '${userHome}' : 'the absolute path'}`,
                ctx.file,
                s.node.range,
                JSON.stringify(
                  style === 'vscode'
                    ? s.value.replace(/^~|=~/, (m) => (m.startsWith('=') ? '=${userHome}' : '${userHome}'))
                    : expanded,
                ),
                false,
              ),
            ]
          : undefined,
      );
    }
    if (/[\b\f\n\r\t]/.test(s.value) && s.group !== 'env') {
      push(
        'MCP068',
        'warning',
        `Server "${name}": ${s.where} contains a tab/newline/backspace character, almost certainly a Windows path where "\\t", "\\n" or "\\b" was meant as a backslash + letter. In JSON write "\\\\" for each backslash, or use forward slashes.`,
        s.node.range,
      );
    }
  }
  if (ctx.profile.defaultCwd === 'unrelated' && !server.cwd) {
    // `uv --directory /abs run server.py`: args are relative to that directory, not the cwd.
    const args = server.args ?? [];
    const dirFlag = args.findIndex(
      (a, i) =>
        ['--directory', '--project', '--cwd', '-C'].includes(a) && /^([\\/]|[A-Za-z]:[\\/])/.test(args[i + 1] ?? ''),
    );
    const rel = pathLike.filter(
      (s) =>
        (s.group === 'command' || (s.group === 'args' && dirFlag < 0)) &&
        looksLikeRelativePath(s.value, s.group === 'command'),
    );
    if (rel.length) {
      push(
        'MCP065',
        'warning',
        `Server "${name}": ${rel.map((r) => `"${truncate(r.value, 50)}"`).join(', ')} ${rel.length > 1 ? 'are relative paths' : 'is a relative path'}, but ${label} ${
          ctx.profile.hasCwd
            ? 'starts servers from its own working directory unless "cwd" is set'
            : 'has no "cwd" field and does not start servers in your project folder'
        }, so ${rel.length > 1 ? 'they resolve' : 'it resolves'} somewhere else. Use absolute paths${ctx.profile.hasCwd ? ' or set "cwd"' : ''}.`,
        rel[0].node.range,
        { values: rel.map((r) => r.value) },
      );
    }
  }

  // --- Windows .cmd shims ------------------------------------------------------------------
  if (
    ctx.platform === 'win32' &&
    server.command &&
    ['claude-desktop', 'cline', 'windsurf', 'lmstudio', 'junie', 'cursor'].includes(ctx.profile.id)
  ) {
    const exe = server.command.toLowerCase();
    if (['npx', 'npm', 'pnpm', 'pnpx', 'yarn'].includes(exe)) {
      push(
        'MCP067',
        'info',
        `Server "${name}": on Windows "${server.command}" is a ${server.command}.cmd script, which cannot be started without a shell; if ${label} reports spawn ${server.command} ENOENT, use "command": "cmd" with "args": ["/c", "${server.command}", ...].`,
        entry.fields.command?.range ?? server.range,
        { command: server.command },
      );
    }
  }

  // --- secrets (MCP505) ---------------------------------------------------------------------
  for (const s of strings) {
    if (s.group !== 'env' && s.group !== 'headers' && s.group !== 'args') continue;
    const hit = secretIn(s, style);
    if (!hit) continue;
    push(
      'MCP505',
      'warning',
      `Server "${name}": ${s.where} holds what looks like a hard-coded ${hit} in ${path.basename(ctx.file)}. Config files get committed and shared, so the secret leaks. ${
        style === 'vscode'
          ? 'Use an input: add { "type": "promptString", "id": "...", "password": true } to "inputs" and reference it as ${input:id}, or use envFile.'
          : style === 'posix'
            ? 'Reference an environment variable instead: ${TOKEN_NAME}.'
            : style === 'cursor' || style === 'roo' || style === 'windsurf'
              ? 'Reference an environment variable instead: ${env:TOKEN_NAME}.'
              : "Keep it out of shared files (environment variable or the client's secret store) and rotate it if it was committed."
      }`,
      subRange(ctx.lines, s.node, s.value.length > 8 ? s.value.slice(0, 8) : s.value),
      { where: s.where },
      s.key && s.group !== 'args' && ctx.inputsPath ? promptInsteadFix(ctx, s.node, s.key) : undefined,
    );
  }

  // --- commands and files on disk -----------------------------------------------------------
  if (!ctx.checkCommands || server.disabled || server.transport !== 'stdio' || !server.command) return;
  const p = ctx.platform === 'win32' ? path.win32 : path.posix;
  const resolve = (s: string) => resolveString(s, style, ctx.vars, server.workspaceFolder);
  const fileDir = p.dirname(ctx.file);
  const base = (() => {
    if (server.cwd) {
      const c = resolve(server.cwd);
      if (c.unresolved.length) return undefined;
      return p.isAbsolute(c.value) ? c.value : p.join(server.workspaceFolder ?? fileDir, c.value);
    }
    if (ctx.profile.defaultCwd === 'workspace')
      return server.workspaceFolder ?? (ctx.scope === 'workspace' ? fileDir : undefined);
    if (ctx.profile.defaultCwd === 'config-dir') return fileDir;
    return undefined;
  })();

  const cwdMissing = Boolean(server.cwd && base && !ctx.fileExists(base));
  if (cwdMissing) {
    push(
      'MCP063',
      'error',
      `Server "${name}": cwd "${base}" does not exist, so ${label} cannot start the server. Fix the path.`,
      entry.fields.cwd?.range ?? server.range,
      { path: base },
    );
  }
  if (server.envFile) {
    const ef = resolve(server.envFile);
    if (!ef.unresolved.length) {
      const abs = p.isAbsolute(ef.value) ? ef.value : base ? p.join(base, ef.value) : undefined;
      if (abs && !ctx.fileExists(abs)) {
        push(
          'MCP064',
          'error',
          `Server "${name}": envFile "${abs}" does not exist; ${label} fails to start the server. Create the file or remove "envFile".`,
          entry.fields.envFile?.range ?? server.range,
          { path: abs },
        );
      }
    }
  }

  const cmd = resolve(server.command);
  const cmdRange = entry.fields.command?.range ?? server.range;
  if (!cmd.unresolved.length && cmd.value.trim()) {
    const c = cmd.value;
    if (p.isAbsolute(c) || /^[A-Za-z]:[\\/]/.test(c)) {
      if (!ctx.findOnPath(c) && !ctx.fileExists(c)) {
        push(
          'MCP060',
          'error',
          `Server "${name}": command "${c}" does not exist, so the server cannot start (spawn ENOENT). Fix the path, or use a command on PATH.`,
          cmdRange,
          { command: c },
        );
      }
    } else if (/[\\/]/.test(c)) {
      if (base && !ctx.fileExists(p.join(base, c))) {
        push(
          'MCP060',
          'error',
          `Server "${name}": command "${c}" does not exist in ${base}, so the server cannot start (spawn ENOENT). Fix the path.`,
          cmdRange,
          { command: c, base },
        );
      }
    } else if (!ctx.findOnPath(c)) {
      push(
        'MCP061',
        'warning',
        `Server "${name}": "${c}" is not on PATH, so the server will fail with spawn ${c} ENOENT. Install it, or use its absolute path (apps started from the Dock/Start menu may see a shorter PATH than your terminal).`,
        cmdRange,
        { command: c },
      );
    }
  }

  const script = cwdMissing ? undefined : scriptArgument(server.command, server.args ?? []);
  if (script) {
    const node = entry.fields.args[script.index];
    const r = resolve(script.path);
    if (!r.unresolved.length) {
      const dir =
        script.directory !== undefined
          ? p.isAbsolute(script.directory)
            ? script.directory
            : base
              ? p.join(base, script.directory)
              : undefined
          : base;
      const abs =
        p.isAbsolute(r.value) || /^[A-Za-z]:[\\/]/.test(r.value) ? r.value : dir ? p.join(dir, r.value) : undefined;
      if (abs && !ctx.fileExists(abs)) {
        push(
          'MCP062',
          'error',
          `Server "${name}": ${p.basename(server.command)} is asked to run "${script.path}", but ${abs} does not exist; the process exits at once ("No such file or directory"). Fix the path${ctx.profile.hasCwd ? ' or "cwd"' : ''}.`,
          node?.range ?? server.range,
          { path: abs },
        );
      }
    }
  }
}

const TOKEN_PATTERNS: [RegExp, string][] = [
  [/\bsk-ant-[A-Za-z0-9_-]{20,}/, 'Anthropic API key'],
  [/\bsk-(proj-)?[A-Za-z0-9_-]{20,}/, 'OpenAI-style API key'],
  [/\bghp_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}|\bgh[ousr]_[A-Za-z0-9]{30,}/, 'GitHub token'],
  [/\bxox[baprs]-[A-Za-z0-9-]{10,}/, 'Slack token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'AWS access key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'Google API key'],
  // Starts only where a run of token characters starts, so one run is tried once (linear).
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/, 'JWT'],
  [/\blin_api_[A-Za-z0-9]{20,}/, 'Linear API key'],
  [/\bglpat-[A-Za-z0-9_-]{20,}/, 'GitLab token'],
];
const SECRET_NAME =
  /(^|[_-])(API[_-]?KEY|APIKEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|PAT|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CLIENT[_-]?SECRET|AUTH)$/i;
/** Header names whose values are credentials (`.*token.*` in one anchored regex was quadratic). */
const SECRET_HEADER = {
  test: (name: string): boolean =>
    /^(authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token)$/i.test(name) ||
    /token|secret|api[-_]?key/i.test(name),
};
const PLACEHOLDER =
  /replace|your[_ -]|<[^<>]*>|x{4,}|changeme|change[_-]me|example|dummy|placeholder|redacted|^\*+$|\.\.\.|todo|insert|^test$|^secret$|^password$/i;

/** Describes the secret in a literal env/header/arg value, or undefined. */
function secretIn(s: StringField, style: string): string | undefined {
  const v = s.value.trim();
  if (!v) return undefined;
  for (const [re, what] of TOKEN_PATTERNS) if (re.test(v) && !PLACEHOLDER.test(v)) return what;
  if (s.group === 'args') return undefined;
  // Name-based: literal, non-placeholder value with no variable reference.
  if (/\$\{|\{env:|\{file:|\$\{\{|^\$[A-Za-z_]/.test(v) || findVariables(v, style as never).length) return undefined;
  const nameHit = s.group === 'env' ? SECRET_NAME.test(s.key ?? '') : SECRET_HEADER.test(s.key ?? '');
  if (!nameHit) return undefined;
  const secret = v.replace(/^(Bearer|Basic|Token)\s+/i, '');
  if (
    secret.length < 8 ||
    PLACEHOLDER.test(secret) ||
    /^(true|false|\d+)$/i.test(secret) ||
    (/[\\/]/.test(secret) && !/[A-Za-z0-9+/]{30,}/.test(secret))
  )
    return undefined;
  return 'secret';
}

/** An input id derived from an env or header name (`GITHUB_TOKEN` → `github-token`). */
function inputId(key: string): string {
  return key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Replace a literal secret with `${input:id}` and declare that input (a password prompt). */
function promptInsteadFix(ctx: CheckContext, value: PNode, key: string): Fix[] {
  const id = inputId(key);
  const edits: TextEdit[] = [{ file: ctx.file, range: value.range, newText: JSON.stringify(`\${input:${id}}`) }];
  if (!ctx.inputs?.some((i) => i.id === id)) {
    const insert = modify(
      ctx.lines.text,
      [...ctx.inputsPath!, -1],
      { type: 'promptString', id, description: key, password: true },
      { formattingOptions: { insertSpaces: true, tabSize: 2 } },
    );
    for (const e of insert)
      edits.push({ file: ctx.file, range: ctx.lines.range(e.offset, e.length), newText: e.content });
  }
  return [{ title: `Prompt for ${key} (stored securely) instead`, edits, preferred: true }];
}
