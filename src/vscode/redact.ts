/** Display helpers for command lines and environments (only harmless values shown). Pure: no vscode import. */
import type { ServerConfig } from '../core/config/types';
import { redactText } from '../core/session/report';
import { displayEnv } from '../core/util/envDisplay';
import { isSecretEnvName, isSecretKey, maskSecrets, redactString } from '../core/trace/redact';

/** `cmd arg 'arg with space'`, quoted the way a POSIX shell would need it. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[\w@%+=:,./${}-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `KEY=***` for each variable whose value may be a secret; `PYTHONUNBUFFERED=1` shows as itself. */
export function redactEnv(env: Record<string, string> | undefined, secrets: readonly string[] = []): string[] {
  return displayEnv(env, secrets);
}

/** Shorter values are not masked: masking "1" or "on" everywhere would garble the output. */
const MIN_SECRET_LENGTH = 4;

/**
 * What `${input:...}` variables of `template` became in `resolved` (empty when it has none).
 * Literal parts must match in order; each variable takes the text up to the next literal part
 * (the last one: up to the final literal). A scan with `indexOf`, not a regex built from the
 * template: the template comes from a workspace file.
 */
function inputValues(template: string, resolved: string): string[] {
  if (!template.includes('${input:')) return [];
  const literals: string[] = [];
  const vars: string[] = [];
  let last = 0;
  for (let open = template.indexOf('${'); open >= 0; open = template.indexOf('${', last)) {
    const close = template.indexOf('}', open + 2);
    if (close < 0) break;
    literals.push(template.slice(last, open));
    vars.push(template.slice(open + 2, close));
    last = close + 1;
  }
  const tail = template.slice(last);
  const whole = resolved !== template ? [resolved] : [];
  if (!resolved.startsWith(literals[0] ?? '') || !resolved.endsWith(tail)) return whole;
  const end = resolved.length - tail.length;
  const out: string[] = [];
  let at = (literals[0] ?? '').length;
  for (let i = 0; i < vars.length; i++) {
    const next = literals[i + 1];
    const stop = next === undefined ? end : next === '' ? at + 1 : resolved.indexOf(next, at + 1);
    if (stop < 0 || stop > end) return whole;
    if (vars[i].startsWith('input:')) out.push(resolved.slice(at, stop));
    at = stop + (next?.length ?? 0);
  }
  return at === end ? out : whole;
}

/**
 * The literal secret values of a launch: what each `${input:...}` resolved to (inputs are
 * prompted secrets), values of secret-named env variables and headers (`GITHUB_TOKEN`,
 * `Authorization`, `X-API-Key`...). Longest first, so `maskSecrets` replaces whole values.
 */
export function secretValues(listed: ServerConfig, resolved: ServerConfig): string[] {
  const out = new Set<string>();
  const pair = (a: string | undefined, b: string | undefined) => {
    if (a !== undefined && b !== undefined) for (const v of inputValues(a, b)) out.add(v);
  };
  pair(listed.command, resolved.command);
  pair(listed.url, resolved.url);
  pair(listed.cwd, resolved.cwd);
  (listed.args ?? []).forEach((a, i) => pair(a, resolved.args?.[i]));
  for (const [k, v] of Object.entries(listed.env ?? {})) pair(v, resolved.env?.[k]);
  for (const [k, v] of Object.entries(listed.headers ?? {})) pair(v, resolved.headers?.[k]);
  for (const [k, v] of Object.entries(resolved.env ?? {})) if (isSecretEnvName(k)) out.add(v);
  for (const [k, v] of Object.entries(resolved.headers ?? {})) {
    if (!(isSecretKey(k) || /auth|token|key|secret|cookie/i.test(k))) continue;
    out.add(v);
    // `Bearer <token>`: the token alone may show up too.
    const token = /^\s*\S+\s+(\S+)\s*$/.exec(v)?.[1];
    if (token) out.add(token);
  }
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** A formatted command line with the values of secret flags (and token shapes) replaced by `***`. */
export function redactSecretFlags(text: string): string {
  return redactString(text);
}

/** A line of the terminal header with its style name. */
export interface HeaderLine {
  text: string;
  style: 'plain' | 'header';
}

/**
 * The terminal header of a launch: config file, environment keys (values never shown) and,
 * for remote servers, the URL (credentials and tokens redacted) and header names.
 */
export function terminalHeader(server: ServerConfig, secrets: readonly string[] = []): HeaderLine[] {
  const lines: HeaderLine[] = [
    { text: '', style: 'plain' },
    { text: `config: ${server.file}`, style: 'plain' },
  ];
  if (server.command) {
    const env = redactEnv(server.env, secrets);
    lines.push({ text: `env: ${env.length ? env.join(' ') : '(inherited only)'}`, style: 'plain' });
  } else if (server.url) {
    lines.push({
      text: `${server.transport.toUpperCase()} ${maskSecrets(redactText(server.url), secrets)}`,
      style: 'header',
    });
    const headers = Object.keys(server.headers ?? {});
    if (headers.length) lines.push({ text: `headers: ${headers.map((h) => `${h}: ***`).join(', ')}`, style: 'plain' });
  }
  return lines;
}
