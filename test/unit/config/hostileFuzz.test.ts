import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import type { ClientId, ConfigFormat, ConfigLocation } from '../../../src/core/config/types';
import { fuzz, type Rand } from '../fuzz/prng';

/**
 * The config fuzzer: hostile and random files of every format (JSON, JSONC, YAML, TOML),
 * including deeply nested and huge ones, each parsed in a child process whose V8 heap is capped at
 * 100 MB, with 1 s of parse time (CPU time, so that a loaded machine does not fail it) allowed
 * per input. A freeze, an out-of-memory, a thrown error
 * or a vanished server fails the test with the input that caused it.
 */

const TIME_BUDGET_MS = 1000;
const HEAP_LIMIT_MB = 100;

type Syntax = 'json' | 'jsonc' | 'yaml' | 'toml';
const LOCATIONS: Record<Syntax, { file: string; client: ClientId; format: ConfigFormat }> = {
  json: { file: '/w/.mcp.json', client: 'claude-code', format: 'mcp-servers' },
  jsonc: { file: '/w/.vscode/mcp.json', client: 'vscode', format: 'vscode-mcp' },
  yaml: { file: '/w/.continue/mcpServers/x.yaml', client: 'continue', format: 'continue' },
  toml: { file: '/w/.codex/config.toml', client: 'codex', format: 'codex' },
};

interface Outcome {
  /** CPU time of the parse (user + system). */
  ms: number;
  wallMs: number;
  servers: number;
  codes: string[];
  internal?: string;
  heapMB: number;
}

/**
 * One child process per test, with V8's heap capped at HEAP_LIMIT_MB (a worker thread's
 * `resourceLimits` can abort the whole process when the limit is hit); restarted when an input
 * kills it.
 */
class Parser {
  private child: ChildProcess | undefined;
  private start(): ChildProcess {
    return (this.child ??= fork(path.join(__dirname, 'helpers/parseWorker.cjs'), [], {
      execArgv: [`--max-old-space-size=${HEAP_LIMIT_MB}`],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    }));
  }
  parse(syntax: Syntax, text: string): Promise<Outcome> {
    const c = this.start();
    const l = LOCATIONS[syntax];
    const location: ConfigLocation = { ...l, scope: 'workspace', workspaceFolder: '/w' };
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        done();
        this.child = undefined;
        c.kill('SIGKILL');
        reject(new Error(`${syntax}: no answer in 20 s (${text.length} characters)`));
      }, 20_000);
      const done = () => {
        clearTimeout(timer);
        c.off('message', onMessage);
        c.off('exit', onExit);
      };
      const onMessage = (o: Outcome) => {
        done();
        resolve(o);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        this.child = undefined;
        reject(
          new Error(
            `${syntax}: the parser process died (${signal ?? `exit ${code}`}: out of its ${HEAP_LIMIT_MB} MB heap?) on ${text.length} characters`,
          ),
        );
      };
      c.on('message', onMessage);
      c.on('exit', onExit);
      c.send({ file: l.file, text, location });
    });
  }
  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}

/** Asserts the budget and returns the outcome. */
async function within(parser: Parser, syntax: Syntax, text: string, what: string): Promise<Outcome> {
  const o = await parser.parse(syntax, text);
  assert.equal(o.internal, undefined, `${what}: internal error ${o.internal}`);
  assert.ok(o.ms < TIME_BUDGET_MS, `${what}: ${o.ms.toFixed(0)} ms of CPU (budget ${TIME_BUDGET_MS} ms)`);
  return o;
}

const SERVER = { json: '"s":{"command":"npx","args":["-y","pkg"]}' };

/** Hostile inputs that each once froze, exhausted or crashed the parser, per format. */
function hostile(): [Syntax, string, string, { servers?: number; code?: string }][] {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  let laughs = 'mcpServers:\n  - name: s\n    command: npx\nx0: &a0 [a, a, a, a, a, a, a, a, a, a]\n';
  for (let i = 1; i < 10; i++)
    laughs += `x${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  const servers = (n: number) =>
    `{"mcpServers":{${Array.from({ length: n }, (_, i) => `"s${i}":{"command":"x"}`).join(',')}}}`;
  const bigString = `{"mcpServers":{${SERVER.json}},"history":"${'h'.repeat(4_500_000)}"}`;
  return [
    [
      'json',
      'nested 10,000 deep',
      `{"mcpServers":{${SERVER.json}},"z":${deep(10_000)}}`,
      { servers: 1, code: 'MCP090' },
    ],
    [
      'jsonc',
      'nested 100,000 deep',
      `{"servers":{${SERVER.json}},"z":${deep(100_000)}}`,
      { servers: 1, code: 'MCP090' },
    ],
    [
      'json',
      'unclosed 50,000 deep',
      `{"mcpServers":{${SERVER.json}},"z":${'{"a":'.repeat(50_000)}`,
      { code: 'MCP090' },
    ],
    ['json', '4.5 MB string (a large ~/.claude.json)', bigString, { servers: 1 }],
    ['json', '5,000 servers', servers(5000), { code: 'MCP090' }],
    ['json', '300,000 values', `{"mcpServers":{${SERVER.json}},"z":[${'1,'.repeat(300_000)}1]}`, { code: 'MCP090' }],
    [
      'yaml',
      'key nested 30 maps deep (82 bytes)',
      `${'{'.repeat(30)}a${'}'.repeat(30)}: 1\nmcpServers:\n  - name: s\n    command: npx\n`,
      { servers: 1 },
    ],
    [
      'yaml',
      '2.4 KB of nested keys',
      `mcpServers:\n  - name: s\n    command: npx\n${Array.from({ length: 40 }, (_, i) => `${'{'.repeat(28)}k${i}${'}'.repeat(28)}: 1`).join('\n')}\n`,
      { servers: 1 },
    ],
    ['yaml', 'aliases expanding to 10^10 values', laughs, { servers: 1, code: 'MCP090' }],
    ['yaml', 'flow nested 10,000 deep', `mcpServers:\n  - name: s\n    command: npx\nz: ${deep(10_000)}\n`, {}],
    ['yaml', '2 MB (over the YAML cap)', `mcpServers: []\nz: "${'y'.repeat(2_000_000)}"\n`, { code: 'MCP090' }],
    [
      'yaml',
      '200 KB of block mappings nested 5,000 deep',
      `mcpServers:\n  - name: s\n    command: npx\nz:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}\n`,
      { servers: 1 },
    ],
    [
      'toml',
      'inline tables nested 1,000 deep (24 KB)',
      `[mcp_servers.s]\ncommand = "npx"\n[x]\na = ${'{ b = '.repeat(1000)}1${' }'.repeat(1000)}\n`,
      { servers: 1 },
    ],
    [
      'toml',
      'dotted header 5,000 segments',
      `[mcp_servers.s]\ncommand = "npx"\n[${Array(5000).fill('a').join('.')}]\nk = 1\n`,
      { servers: 1 },
    ],
    [
      'toml',
      'header padded with 100 KB of spaces',
      `[mcp_servers.s]\ncommand = "npx"\n[ ${' '.repeat(50_000)}x${' '.repeat(50_000)} ]\n`,
      { servers: 1 },
    ],
    [
      'toml',
      '3,000 servers',
      Array.from({ length: 3000 }, (_, i) => `[mcp_servers.s${i}]\ncommand = "x"\n`).join(''),
      { servers: 500, code: 'MCP090' },
    ],
    [
      'toml',
      '200 KB inline-table line',
      `[mcp_servers.s]\ncommand = "npx"\nenv = { ${Array.from({ length: 15_000 }, (_, i) => `K${i} = "v"`).join(', ')} }\n`,
      { servers: 1, code: 'MCP090' },
    ],
    [
      'toml',
      '900 KB (over the TOML cap)',
      `[mcp_servers.s]\ncommand = "npx"\nz = "${'t'.repeat(900_000)}"\n`,
      { code: 'MCP090' },
    ],
    [
      'json',
      'one server with 150,000 args',
      `{"mcpServers":{"s":{"command":"x","args":[${'"a",'.repeat(149_999)}"a"]}}}`,
      { servers: 1, code: 'MCP090' },
    ],
    [
      'yaml',
      'block mappings nested 600 deep',
      `mcpServers:\n  - name: s\n    command: npx\nz:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}\n`,
      { servers: 1 },
    ],
    [
      'json',
      '${ run of 1 MB in a value',
      `{"mcpServers":{"s":{"command":"x","args":["${'${'.repeat(500_000)}"]}}}`,
      { servers: 1 },
    ],
  ];
}

/** A random value tree (depth and breadth drawn per call). */
function randomValue(r: Rand, depth: number, budget: { n: number }): unknown {
  if (budget.n-- <= 0 || depth <= 0 || r.chance(0.3)) {
    return r.pick([
      () => r.int(1e6),
      () => r.text(r.int(40), 'abc${}:/ -"\\\'#[]{}'),
      () => r.chance(0.5),
      () => null,
    ])();
  }
  if (r.chance(0.5)) return Array.from({ length: r.int(6) }, () => randomValue(r, depth - 1, budget));
  const o: Record<string, unknown> = {};
  for (let i = r.int(6); i > 0; i--) o[r.text(1 + r.int(8), 'abcdefgh_-.$ ')] = randomValue(r, depth - 1, budget);
  return o;
}

function serialize(syntax: Syntax, value: unknown, r: Rand): string {
  const root = { [syntax === 'jsonc' ? 'servers' : syntax === 'toml' ? 'mcp_servers' : 'mcpServers']: value };
  if (syntax === 'json' || syntax === 'jsonc') return JSON.stringify(root, null, r.chance(0.2) ? 1 : undefined);
  if (syntax === 'yaml') {
    // Flow style is valid YAML; YAML-specific shapes are added as random complex keys and aliases.
    let y = JSON.stringify(root);
    if (r.chance(0.5)) y = `${'{'.repeat(1 + r.int(24))}k${'}'.repeat(1 + r.int(24))}: 1\nx: ${y}\n`;
    if (r.chance(0.3)) y += `\na: &a [1, 2, 3]\nb: [*a, *a, *a]\n`;
    return y;
  }
  // TOML: tables and inline tables.
  const esc = (s: string) => JSON.stringify(s);
  const inline = (v: unknown, d: number): string =>
    v === null
      ? '""'
      : Array.isArray(v)
        ? `[${v.map((x) => inline(x, d + 1)).join(', ')}]`
        : typeof v === 'object'
          ? `{ ${Object.entries(v as Record<string, unknown>)
              .map(([k, x]) => `${esc(k)} = ${inline(x, d + 1)}`)
              .join(', ')} }`
          : typeof v === 'string'
            ? esc(v)
            : String(v);
  const entries = value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
  return entries.map(([k, v]) => `[mcp_servers.${esc(k)}]\ncommand = "x"\nextra = ${inline(v, 0)}\n`).join('\n');
}

function mutate(text: string, r: Rand): string {
  let t = text;
  for (let i = r.int(4); i > 0; i--) {
    const at = r.int(t.length + 1);
    t = r.chance(0.5)
      ? t.slice(0, at) + r.text(1 + r.int(3), '{}[]",:\n -=\'&*?') + t.slice(at)
      : t.slice(0, at) + t.slice(at + 1 + r.int(4));
  }
  return t;
}

describe('config fuzzer: every format under a per-input time and memory budget', function () {
  this.timeout(180_000);
  const parser = new Parser();
  after(() => parser.dispose());

  it(`hostile files: each within ${TIME_BUDGET_MS} ms and ${HEAP_LIMIT_MB} MB of heap, servers kept, one MCP090 where limited`, async () => {
    for (const [syntax, what, text, expect] of hostile()) {
      const o = await within(parser, syntax, text, `${syntax} ${what}`);
      if (expect.servers !== undefined) assert.equal(o.servers, expect.servers, `${syntax} ${what}: servers`);
      if (expect.code) assert.ok(o.codes.includes(expect.code), `${syntax} ${what}: ${o.codes.join(', ')}`);
    }
  });

  it('random nested and huge files of every format, mutated (~20 s)', async () => {
    const syntaxes: Syntax[] = ['json', 'jsonc', 'yaml', 'toml'];
    let runs = 0;
    await fuzz(20_000, async (r) => {
      const syntax = syntaxes[runs++ % syntaxes.length];
      const huge = r.chance(0.1);
      const value = randomValue(r, huge ? 400 : 1 + r.int(40), { n: huge ? 150_000 : 2_000 });
      // Discovery reads at most 5 MB; bigger inputs would only test that cap.
      const full = serialize(syntax, value, r).slice(0, 6 * 1024 * 1024);
      const text = r.chance(0.7) ? mutate(full, r) : full;
      await within(parser, syntax, text, `${syntax} random input of ${text.length} characters`);
    });
    assert.ok(runs >= 20, `${runs} inputs`);
  });
});
