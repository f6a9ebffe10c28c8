/** Display helpers for command lines and environments (values never shown). Pure: no vscode import. */
import type { ServerConfig } from '../core/config/types';
import { redactText } from '../core/session/report';
import { isSecretEnvName, isSecretKey, maskSecrets } from '../core/trace/redact';

/** `cmd arg 'arg with space'`, quoted the way a POSIX shell would need it. */
export function formatCommandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[\w@%+=:,./${}-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `KEY=***` for each variable: the keys matter for troubleshooting, the values may be secrets. */
export function redactEnv(env: Record<string, string> | undefined): string[] {
  return Object.keys(env ?? {}).map((key) => `${key}=***`);
}

/** Shorter values are not masked: masking "1" or "on" everywhere would garble the output. */
const MIN_SECRET_LENGTH = 4;
const VARIABLE = /\$\{([^}]*)\}/g;

/** What `${input:...}` variables of `template` became in `resolved` (empty when it has none). */
function inputValues(template: string, resolved: string): string[] {
  if (!template.includes('${input:')) return [];
  // Literal parts must match exactly; other variables match anything; input variables are captured.
  let source = '^';
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    source += escapeRegExp(template.slice(last, m.index)) + (m[1].startsWith('input:') ? '([\\s\\S]+?)' : '[\\s\\S]*?');
    last = m.index! + m[0].length;
  }
  source += `${escapeRegExp(template.slice(last))}$`;
  const match = new RegExp(source).exec(resolved);
  // No match (the resolver changed more than the variables): the whole value is the secret.
  if (!match) return resolved !== template ? [resolved] : [];
  return match.slice(1).filter((v): v is string => v !== undefined);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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

/** Command-line flags whose next word is a secret: `--token xyz`, `--api-key 'xyz'`, `-password xyz`. */
const SECRET_FLAG_VALUE =
  /(\s--?[A-Za-z-]*(?:token|secret|password|api-?key|auth)[A-Za-z-]*\s+)('[^']*'|"[^"]*"|[^\s'"-]\S*)/gi;

/** A formatted command line with the values of secret flags replaced by `***`. */
export function redactSecretFlags(text: string): string {
  return text.replace(SECRET_FLAG_VALUE, (_m, flag: string) => `${flag}***`);
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
    const env = redactEnv(server.env);
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
