import assert from 'node:assert/strict';
import * as os from 'node:os';
import { analyzePython } from '../../../../src/core/rules/python';
import { copyTree } from '../../../../src/core/rules/python/ast';
import { getParser, project, readFixture } from './helpers';

/** A ~500-line server built from the rule fixture, with unique function names per copy. */
function bigFile(minLines: number): string {
  const base = readFixture('tools_official.py').split('if __name__')[0];
  const body = base.slice(base.indexOf('def slow_helper'));
  let out = base;
  let i = 0;
  while (out.split('\n').length < minLines) {
    i++;
    out += body.replace(/def (\w+)\(/g, `def $1_${i}(`).replace(/name="(\w+)"/g, `name="$1_${i}"`);
  }
  return `${out}\nif __name__ == "__main__":\n    mcp.run()\n`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('python analyzer: performance (measured, not asserted)', () => {
  it('re-lints a 500-line file', async () => {
    const p = await getParser();
    const text = bigFile(500);
    const lines = text.split('\n').length;
    const ctx = project({ mcp: '1.9.4' });
    let hits = 0;
    for (let i = 0; i < 15; i++) hits = analyzePython(p, 'big.py', text, ctx).hits.length; // warm-up
    const total: number[] = [];
    const cpu: number[] = [];
    const parse: number[] = [];
    const copy: number[] = [];
    for (let i = 0; i < 15; i++) {
      let t = performance.now();
      const c = process.cpuUsage();
      analyzePython(p, 'big.py', text, ctx);
      total.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      t = performance.now();
      const tree = p.parser.parse(text)!;
      parse.push(performance.now() - t);
      t = performance.now();
      copyTree(tree, p.language);
      copy.push(performance.now() - t);
      tree.delete();
    }
    console.log(
      `      ${lines} lines, ${hits} hits: total ${median(total).toFixed(1)} ms (parse ${median(parse).toFixed(1)} ms, tree copy ${median(copy).toFixed(1)} ms, facts+rules ${(median(total) - median(parse) - median(copy)).toFixed(1)} ms), median of 15; CPU ${median(cpu).toFixed(1)} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
    );
    assert.ok(hits > 50);
  });

  it('analyzes 20 files of 500 lines (extrapolated to 200k lines)', async () => {
    const p = await getParser();
    const files = Array.from({ length: 20 }, (_, i) => bigFile(500).replace(/tools-demo/, `srv-${i}`));
    const lines = files.reduce((n, f) => n + f.split('\n').length, 0);
    const ctx = project({ mcp: '1.9.4' });
    for (const [i, f] of files.entries()) analyzePython(p, `w${i}.py`, f, ctx); // warm-up (JIT)
    const t = performance.now();
    const c = process.cpuUsage();
    for (const [i, f] of files.entries()) analyzePython(p, `f${i}.py`, f, ctx);
    const ms = performance.now() - t;
    const used = process.cpuUsage(c);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(
      `      ${files.length} files / ${lines} lines in ${ms.toFixed(0)} ms wall / ${cpuMs.toFixed(0)} ms CPU → ${(((cpuMs / lines) * 200_000) / 1000).toFixed(2)} s CPU per 200k lines of MCP server code (files that neither import MCP nor register tools are not parsed at all)`,
    );
    assert.ok(ms > 0);
  });
});
