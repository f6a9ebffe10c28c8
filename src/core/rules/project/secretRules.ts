import { isAbsolute, relative } from 'node:path';
import type { Fix } from '../../model';
import type { RuleHit } from '../types';
import { LineIndex } from './text';
import { trimEndOf } from '../../util/text';

/**
 * MCP505: hard-coded secrets. High-confidence token shapes anywhere in a file, plus string
 * literals assigned to secret-looking names (`API_KEY = "..."`, `"token": "..."`).
 */

/** Token shapes: [label, pattern, environment variable to suggest]. */
const TOKEN_PATTERNS: [string, RegExp, string][] = [
  ['an Anthropic API key', /\bsk-ant-[A-Za-z0-9_-]{20,}/g, 'ANTHROPIC_API_KEY'],
  ['an OpenAI-style API key', /\bsk-(?!ant-)(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}/g, 'OPENAI_API_KEY'],
  ['a GitHub token', /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g, 'GITHUB_TOKEN'],
  ['a Slack token', /\bxox[bpoas]-[A-Za-z0-9-]{10,}/g, 'SLACK_TOKEN'],
  ['an AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, 'AWS_ACCESS_KEY_ID'],
  ['a Google API key', /\bAIza[0-9A-Za-z_-]{35}/g, 'GOOGLE_API_KEY'],
  // Starts only where a run of token characters starts: `\b` allowed one try per `-eyJ` (quadratic).
  ['a JSON Web Token', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, 'AUTH_TOKEN'],
  ['a bearer token', /\bBearer\s+(?![A-Z_]+\b)[A-Za-z0-9._~+/-]{20,}=*/g, 'AUTH_TOKEN'],
];

/** Names that hold secrets: `OPENAI_API_KEY`, `apiKey`, `client_secret`, `PASSWORD`... */
const SECRET_NAME = /(api[_-]?key|access[_-]?key|secret|token|passw(or)?d|private[_-]?key|auth[_-]?key)$/i;
/**
 * Names that end like a secret but hold protocol or paging values: MCP's `progressToken`,
 * pagination `nextPageToken` / `cursor_token`, CSRF tokens sent to every browser...
 */
const NOT_SECRET_NAME =
  /(progress|page|next|prev|previous|continuation|resume|resumption|cursor|sync|pagination|idempotency|request|correlation|csrf|xsrf|cancel(lation)?)[_-]?token$|^(token|secret)[_-]?(type|name|field|header|env|var)$/i;

/** A word that makes a line worth the assignment regex (with a quote after it). */
const SECRET_WORD = /key|token|secret|passw|credential/i;

/**
 * The lines naming a secret-looking identifier with a quote after it; the assignment regex runs
 * on these only. A scan per line (one `^.*word[^\n]*quote` pattern was quadratic on a long line
 * full of the words and no quote).
 */
function* secretLines(text: string): Generator<{ 0: string; index: number }> {
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    const w = SECRET_WORD.exec(line);
    if (w && /["'`]/.test(line.slice(w.index + w[0].length))) yield { 0: line, index: start };
    start = end + 1;
  }
}
/** Keys issued to be embedded in clients (PostHog `phc_`, Stripe publishable `pk_live_`/`pk_test_`). */
const PUBLIC_KEY = /^(?:phc_|pk_(?:live|test)_)[A-Za-z0-9]{16,}$/;

/** Substrings every token shape contains. */
const TOKEN_HINT = /sk-|gh[pousr]_|github_pat_|xox[bpoas]-|AKIA|ASIA|AIza|eyJ|Bearer\s/;

/**
 * Factory-default credentials that vendors document (TDengine `taosdata`, MinIO `minioadmin`, the
 * `postgres` image, Java's `changeit` keystore...): public, so committing one leaks nothing.
 */
const VENDOR_DEFAULT =
  /^(?:taosdata|postgres|password|minioadmin|changeit|rabbitmq|neo4jpassword|admin123|password123)$/i;

/** Values that are obviously not real secrets. */
function isPlaceholder(value: string, assigned = false): boolean {
  return (
    value.length < 8 ||
    VENDOR_DEFAULT.test(value) ||
    /^\$\{|^\$[A-Z_]|^%[A-Z_]+%$|^<.*>$|^\{\{.*\}\}$|^\{.*\}$/.test(value) ||
    /(your|my)[_-]?[a-z_-]{0,24}(api|key|token|secret|passw|address)|[_-]here$|change[_-]?me|example|placeholder|dummy|redacted|replace|xxxx|\*\*\*|\.\.\.|…|todo|fake|sample|not[_-]?a[_-]?real|test[_-]?(key|token)|(^|[_-])(demo|mock)[_-]/i.test(
      value,
    ) ||
    /^([A-Za-z0-9])\1+$/.test(value) ||
    // An environment variable *name* (`KEY_ENV = "OPENAI_API_KEY"`), not its value.
    (assigned && /^[A-Z][A-Z0-9_]*$/.test(value)) ||
    // Interpolations and references (`f"{token}"`, `Bearer ${token}`).
    /\{[^{}]*\}/.test(value) ||
    // An interpolation the scan cut at a quote inside it: the value of a key in a template
    // (`f'"TOKEN": "{data["access_token"]}"'`, `` `"key": "${cfg["key"]}"` ``), `%(token)s`.
    /^\{\{?\s*[A-Za-z_]|^%\(\w+\)[sdr]/.test(value)
  );
}

export interface SecretScanOptions {
  /** Language of the file, to word quick fixes (`os.environ[...]` vs `process.env...`). */
  language: 'python' | 'typescript' | 'config';
  /** Offsets already reported (client-config scanning reports env values itself). */
  skip?: Set<number>;
  /** Project root: test folders are recognized below it only. */
  root?: string;
}

function envName(name: string): string {
  return trimEndOf(
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+/, ''),
    '_',
  ).toUpperCase();
}

function fixFor(
  file: string,
  lines: LineIndex,
  text: string,
  start: number,
  end: number,
  env: string,
  language: SecretScanOptions['language'],
): Fix[] | undefined {
  // The fix replaces the whole literal including its quotes.
  const quote = text[start - 1];
  if (!(quote === '"' || quote === "'" || quote === '`') || text[end] !== quote) return undefined;
  if (language === 'python') {
    if (!/^[ \t]*(import os\b|from os import)/m.test(text)) return undefined;
    return [
      {
        title: `Read ${env} from the environment`,
        edits: [{ file, range: lines.range(start - 1, end + 1), newText: `os.environ["${env}"]` }],
        preferred: true,
      },
    ];
  }
  if (language === 'typescript') {
    return [
      {
        title: `Read ${env} from the environment`,
        edits: [{ file, range: lines.range(start - 1, end + 1), newText: `(process.env.${env} ?? "")` }],
        preferred: true,
      },
    ];
  }
  return undefined;
}

/**
 * Test code (`tests/`, `test_*.py`, `*.test.ts`, `conftest.py`...): its name-based secret
 * assignments are fixtures (`api_key='scoped-key'` in a mock assertion), not committed
 * credentials. Token-shaped values are still reported there.
 */
function isTestFile(file: string, root: string | undefined): boolean {
  if (!root) return false;
  const rel = relative(root, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return false;
  const parts = rel.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  if (parts.slice(0, -1).some((d) => d === 'tests' || d === 'test' || d === '__tests__' || d === 'spec')) return true;
  return /^(test_.*\.py|.*_test\.py|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?)$/.test(base);
}

/** Scan a file's text for hard-coded secrets. */
export function secretRules(file: string, text: string, opts: SecretScanOptions): RuleHit[] {
  const lines = new LineIndex(text);
  const hits: RuleHit[] = [];
  const seen = new Set<number>(opts.skip ?? []);
  const covered: [number, number][] = [];
  const report = (start: number, end: number, message: string, env: string) => {
    if (seen.has(start) || covered.some(([s, e]) => start < e && end > s)) return;
    seen.add(start);
    covered.push([start, end]);
    hits.push({
      ruleId: 'MCP505',
      range: lines.range(start, end),
      message,
      fixes: fixFor(file, lines, text, start, end, env, opts.language),
      data: { env },
    });
  };
  // One cheap scan decides whether any token shape can occur at all.
  const tokens = TOKEN_HINT.test(text) ? TOKEN_PATTERNS : [];
  for (const [label, pattern, env] of tokens) {
    for (const m of text.matchAll(pattern)) {
      const value = m[0];
      if (/x{6,}|\.\.\.|<|\*{3}/i.test(value) || isPlaceholder(value.replace(/^Bearer\s+/, ''))) continue;
      // A truncated example (`sk-ant-api03-AbC...`, `ghp_1234…`, `AKIA****`): documentation, not a key.
      if (/^(?:\.\.\.|…|\*{2,}|\[\.\.\.\]|<)/.test(text.slice(m.index! + value.length, m.index! + value.length + 5)))
        continue;
      // A literal that is only the token: report the literal; otherwise the token itself.
      report(
        m.index!,
        m.index! + value.length,
        `This looks like ${label} committed in ${opts.language === 'config' ? 'a configuration file' : 'source code'}; anyone with the repository or a copied config can use it. Read it from the environment (${env}) or, in .vscode/mcp.json, from an "inputs" entry with "password": true, and revoke the exposed value.`,
        env,
      );
    }
  }
  // `NAME = "literal"`, `name: "literal"`, `"name": "literal"`, `const name = 'literal'`.
  // Only lines that mention a secret-looking name *and* hold a string literal are matched.
  // Linear: a name starts only where an identifier starts, and the whitespace around the optional
  // type annotation belongs to exactly one part of the pattern.
  const assign =
    /(["']?)(?<![A-Za-z0-9_-])([A-Za-z_][A-Za-z0-9_-]*)\1[ \t]*(?::[ \t]*[A-Za-z_][\w.[\], |]*)?(?:=|:)\s*(["'`])([^"'`\r\n]*)\3/g;
  for (const line of isTestFile(file, opts.root) ? [] : secretLines(text)) {
    for (const lm of line[0].matchAll(assign)) {
      const m = Object.assign(lm, { index: line.index + lm.index! });
      const name = m[2];
      const value = m[4];
      if (
        !SECRET_NAME.test(name) ||
        NOT_SECRET_NAME.test(name) ||
        isPlaceholder(value, true) ||
        /\s/.test(value.trim())
      )
        continue;
      // URLs are endpoints, not credentials. (Comparisons like `token == "x"` never match the regex.)
      if (/^https?:/.test(value)) continue;
      // Keys that are public by design, meant to ship inside clients: PostHog project keys,
      // Stripe publishable keys.
      if (PUBLIC_KEY.test(value)) continue;
      const start = m.index! + m[0].length - 1 - value.length;
      const env = envName(name);
      report(
        start,
        start + value.length,
        `"${name}" is assigned a literal secret; it leaks through git history, logs and shared configs. Read it from the environment (${env}) instead and revoke the committed value.`,
        env,
      );
    }
  }
  return hits;
}
