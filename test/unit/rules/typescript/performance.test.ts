import * as assert from 'node:assert/strict';
import { analyzeText, readFixture } from './helpers';

/** Builds an N-line official-SDK server with many tools (realistic shapes, some findings). */
function bigServer(lines: number): string {
  const head = [
    'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";',
    'import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";',
    'import { readFile } from "node:fs/promises";',
    'import { z } from "zod";',
    'const server = new McpServer({ name: "big", version: "1.0.0" });',
    'const cache = new Map<string, string>();',
  ];
  const out = [...head];
  let i = 0;
  while (out.length < lines - 5) {
    out.push(
      'server.registerTool(',
      `  "tool_${i}",`,
      '  {',
      `    description: "Tool number ${i}",`,
      '    inputSchema: { file: z.string(), limit: z.number().int().default(100) },',
      '  },',
      '  async ({ file, limit }) => {',
      '    if (!cache.has(file)) {',
      '      const text = await readFile(file, "utf8");',
      '      cache.set(file, text);',
      '    }',
      `    console.error("tool ${i}", file);`,
      '    return { content: [{ type: "text", text: (cache.get(file) ?? "").slice(0, limit) }] };',
      '  },',
      ');',
    );
    i++;
  }
  out.push(
    'async function main() {',
    '  await server.connect(new StdioServerTransport());',
    '}',
    'main().catch((e) => { console.error(e); process.exit(1); });',
  );
  return out.join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('typescript analyzer: performance (measured, printed, not asserted on time)', () => {
  it('500-line file: re-lint time', async () => {
    const text = bigServer(500);
    const lineCount = text.split('\n').length;
    assert.ok(lineCount >= 495 && lineCount <= 510, `${lineCount} lines`);
    const toolCount = text.split('server.registerTool(').length - 1;
    await analyzeText('/w/big.ts', text); // warm up (loads typescript, JIT)
    const times: number[] = [];
    const cpu: number[] = [];
    let hits = 0;
    for (let k = 0; k < 15; k++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await analyzeText('/w/big.ts', text);
      const c1 = process.cpuUsage(c0);
      times.push(performance.now() - t0);
      cpu.push((c1.user + c1.system) / 1000);
      hits = r.hits.length;
      assert.equal(r.definitions.length, toolCount);
    }
    console.log(
      `      ${lineCount}-line file: median ${median(times).toFixed(1)} ms, min ${Math.min(...times).toFixed(1)} ms wall; median ${median(cpu).toFixed(1)} ms CPU (${hits} hits; wall time is inflated when the machine is shared)`,
    );
  });

  it('throughput over the fixtures and generated files (~40k lines)', async () => {
    const texts: string[] = [];
    for (const f of [
      'sdkStdioBad.ts',
      'sdkStdioClean.ts',
      'fastmcpBad.ts',
      'httpBad.ts',
      'httpClean.ts',
      'lowLevel.ts',
    ])
      texts.push(readFixture(f).text);
    for (let k = 0; k < 78; k++) texts.push(bigServer(500));
    const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const [k, t] of texts.entries()) await analyzeText(`/w/f${k}.ts`, t);
    const c1 = process.cpuUsage(c0);
    const ms = performance.now() - t0;
    const cpuMs = (c1.user + c1.system) / 1000;
    const plain = 'export function add(a: number, b: number) { return a + b; }\n'.repeat(200);
    const t1 = performance.now();
    for (let k = 0; k < 1000; k++) await analyzeText(`/w/p${k}.ts`, plain);
    const plainMs = performance.now() - t1;
    console.log(
      `      ${texts.length} MCP files / ${lines} lines in ${ms.toFixed(0)} ms wall / ${cpuMs.toFixed(0)} ms CPU (${((lines / cpuMs) * 1000).toFixed(0)} lines per CPU second); 1000 non-MCP files (200k lines) pre-filtered in ${plainMs.toFixed(0)} ms`,
    );
    assert.ok(lines > 35_000);
  });
});
