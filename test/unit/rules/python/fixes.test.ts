import assert from 'node:assert/strict';
import type { Fix } from '../../../../src/core/model';
import type { ProjectContext, RuleHit } from '../../../../src/core/rules/types';
import { analyze, applyEdits, fixturePath, MARKER_FIXTURES, parsesCleanly, project, readFixture } from './helpers';

/** Analyzes `text`, finds the first hit of `rule` that has a fix titled like `title`, applies it. */
async function applyFix(
  text: string,
  rule: string,
  title: RegExp,
  ctx: ProjectContext = project(),
): Promise<{ out: string; hit: RuleHit; fix: Fix }> {
  const a = await analyze('fix.py', text, ctx);
  for (const hit of a.hits) {
    if (hit.ruleId !== rule) continue;
    const fix = hit.fixes?.find((f) => title.test(f.title));
    if (fix) return { out: applyEdits(text, fix.edits), hit, fix };
  }
  assert.fail(
    `no ${rule} fix matching ${title} in: ${JSON.stringify(a.hits.map((h) => [h.ruleId, h.fixes?.map((f) => f.title)]))}`,
  );
}

describe('python analyzer: quick fixes', () => {
  it('every fix in every fixture applies cleanly and the result parses without errors', async () => {
    let count = 0;
    for (const { name, ctx } of [
      ...MARKER_FIXTURES,
      { name: 'python_bad_1.py', ctx: project({ mcp: '1.9.4' }, { dockerfile: fixturePath('Dockerfile') }) },
    ]) {
      const text = readFixture(name);
      assert.ok(await parsesCleanly(text), `${name} parses`);
      const a = await analyze(name, text, ctx);
      for (const hit of a.hits) {
        for (const fix of hit.fixes ?? []) {
          assert.ok(fix.edits.length > 0);
          assert.ok(fix.edits.every((e) => e.file === fixturePath(name)));
          const out = applyEdits(text, fix.edits);
          assert.notEqual(out, text, `${hit.ruleId} "${fix.title}" changes the text`);
          assert.ok(
            await parsesCleanly(out),
            `${name}: ${hit.ruleId} "${fix.title}" at line ${hit.range.start.line + 1} leaves valid Python`,
          );
          count++;
        }
      }
    }
    console.log(`      (${count} fixes applied and re-parsed)`);
    assert.ok(count >= 30);
  });

  const server = 'from mcp.server.fastmcp import FastMCP\n\nmcp = FastMCP("x")\n';

  it('print(...) → print(..., file=sys.stderr), adding import sys', async () => {
    const text = `${server}print("starting", 42)\n`;
    const { out, fix } = await applyFix(text, 'MCP101', /stderr/);
    assert.equal(fix.preferred, true);
    assert.equal(
      out,
      'from mcp.server.fastmcp import FastMCP\nimport sys\n\nmcp = FastMCP("x")\nprint("starting", 42, file=sys.stderr)\n',
    );
  });

  it('print() with no arguments and with an existing `import sys as s`', async () => {
    const { out } = await applyFix(`import sys as s\n${server}print()\n`, 'MCP101', /stderr/);
    assert.ok(out.endsWith('print(file=s.stderr)\n'));
    assert.ok(!out.includes('import sys\n'));
  });

  it('print(x) → logging.info(x) alternative, adding import logging', async () => {
    const { out, fix } = await applyFix(`${server}print(msg)\n`, 'MCP101', /logging/);
    assert.notEqual(fix.preferred, true);
    assert.ok(out.includes('import logging\n'));
    assert.ok(out.endsWith('logging.info(msg)\n'));
  });

  it('multi-line print with a trailing comma keeps its layout', async () => {
    const text = `${server}print(\n    "a",\n    "b",\n)\n`;
    const { out } = await applyFix(text, 'MCP101', /stderr/);
    assert.ok(out.includes('print(\n    "a",\n    "b",\n    file=sys.stderr,\n)'));
    assert.ok(await parsesCleanly(out));
  });

  it('open(...) → open(..., encoding="utf-8")', async () => {
    const { out } = await applyFix(`${server}data = open("a.txt", "r").read()\n`, 'MCP209', /encoding/);
    assert.ok(out.includes('open("a.txt", "r", encoding="utf-8")'));
  });

  it('time.sleep(x) in an async tool → await asyncio.sleep(x), adding import asyncio', async () => {
    const text = `import time\n${server}\n@mcp.tool()\nasync def wait(s: float) -> str:\n    """Wait."""\n    time.sleep(s)\n    return "ok"\n`;
    const { out } = await applyFix(text, 'MCP301', /asyncio\.sleep/);
    assert.ok(out.includes('    await asyncio.sleep(s)\n'));
    assert.ok(out.includes('import time\nimport asyncio\n') || out.includes('import asyncio\n'));
    assert.ok(await parsesCleanly(out));
  });

  it('blocking call in an async tool → await asyncio.to_thread(fn, args)', async () => {
    const text = `import asyncio\nimport requests\n${server}\n@mcp.tool()\nasync def get(url: str) -> str:\n    """Get."""\n    r = requests.get(url, timeout=5)\n    return r.text[:100]\n`;
    const { out } = await applyFix(text, 'MCP301', /to_thread/);
    assert.ok(out.includes('r = await asyncio.to_thread(requests.get, url, timeout=5)'));
  });

  it('transport="sse" → "http" on fastmcp ≥ 2.3, none on older fastmcp', async () => {
    const text = 'from fastmcp import FastMCP\nmcp = FastMCP("x")\nmcp.run(transport="sse")\n';
    const { out } = await applyFix(text, 'MCP603', /http/, project({ fastmcp: '2.10.0' }));
    assert.ok(out.endsWith('mcp.run(transport="http")\n'));
    const old = await analyze('fix.py', text, project({ fastmcp: '2.2.0' }));
    assert.equal(old.hits.find((h) => h.ruleId === 'MCP603')?.fixes, undefined);
    const official = await applyFix(
      'from mcp.server.fastmcp import FastMCP\nmcp = FastMCP("x")\nmcp.run(transport="sse")\n',
      'MCP603',
      /streamable-http/,
    );
    assert.ok(official.out.endsWith('mcp.run(transport="streamable-http")\n'));
  });

  it('tool without description → docstring stub', async () => {
    const text = `${server}\n@mcp.tool()\ndef area(w: float, h: float) -> float:\n    return w * h\n`;
    const { out } = await applyFix(text, 'MCP701', /docstring/);
    assert.ok(
      out.includes(
        'def area(w: float, h: float) -> float:\n    """TODO: describe what area does and when to use it."""\n    return w * h\n',
      ),
    );
  });

  it('host="127.0.0.1" → "0.0.0.0" only when a Dockerfile exists', async () => {
    const text =
      'from fastmcp import FastMCP\nmcp = FastMCP("x")\nmcp.run(transport="http", host="127.0.0.1", port=8000)\n';
    const { out, hit } = await applyFix(
      text,
      'MCP106',
      /0\.0\.0\.0/,
      project({ fastmcp: '3.1.0' }, { dockerfile: fixturePath('Dockerfile') }),
    );
    assert.ok(out.includes('host="0.0.0.0"'));
    assert.equal(hit.downgrade, false);
    const noDocker = await analyze('fix.py', text, project({ fastmcp: '3.1.0' }));
    assert.equal(noDocker.hits.find((h) => h.ruleId === 'MCP106')?.fixes, undefined);
  });

  it('a Dockerfile that sets FASTMCP_HOST=0.0.0.0 clears a defaulted host', async () => {
    const text = 'from fastmcp import FastMCP\nmcp = FastMCP("x")\nmcp.run(transport="http")\n';
    const docker = 'FROM python:3.12\nENV FASTMCP_HOST=0.0.0.0\nCMD ["python", "server.py"]\n';
    const a = await analyze('fix.py', text, project({ fastmcp: '3.1.0' }, { dockerfile: docker }));
    assert.equal(a.hits.filter((h) => h.ruleId === 'MCP106').length, 0);
  });

  it('@mcp.tool → @mcp.tool() (MCP605)', async () => {
    const text = `${server}\n@mcp.tool\ndef ping() -> str:\n    """Ping."""\n    return "pong"\n\nmcp.run()\n`;
    const { out } = await applyFix(text, 'MCP605', /\(\)/);
    assert.ok(out.includes('\n@mcp.tool()\ndef ping()'));
  });

  it('subprocess without stdin= gets stdin=subprocess.DEVNULL (and captured output for run)', async () => {
    const text = `import subprocess\n${server}\n@mcp.tool()\ndef ls(p: str) -> str:\n    """List."""\n    subprocess.run(["ls", p], check=True)\n    return p\n\nmcp.run()\n`;
    const { out } = await applyFix(text, 'MCP103', /stdin/);
    assert.ok(out.includes('subprocess.run(["ls", p], check=True, stdin=subprocess.DEVNULL, capture_output=True)'));
  });

  it('unannotated ctx → ctx: Context with the import from the server package', async () => {
    const text =
      'from fastmcp import FastMCP\nmcp = FastMCP("x")\n\n@mcp.tool()\nasync def who(name: str, ctx) -> str:\n    """Who."""\n    return name\n\nmcp.run()\n';
    const { out } = await applyFix(text, 'MCP201', /Context/, project({ fastmcp: '3.1.0' }));
    assert.ok(out.includes('from fastmcp import Context'));
    assert.ok(out.includes('async def who(name: str, ctx: Context) -> str:'));
  });

  it('error string returned from except → raise ToolError(...) with the import', async () => {
    const text =
      'from fastmcp import FastMCP\nmcp = FastMCP("x")\n\n@mcp.tool()\ndef get(k: str) -> str:\n    """Get."""\n    try:\n        return k\n    except KeyError:\n        return "Error: missing key"\n\nmcp.run()\n';
    const { out } = await applyFix(text, 'MCP705', /ToolError/, project({ fastmcp: '3.1.0' }));
    assert.ok(out.includes('from fastmcp.exceptions import ToolError'));
    assert.ok(out.includes('        raise ToolError("Error: missing key")'));
  });

  it('FastMCP(port=...) on fastmcp 3 → moved to run()', async () => {
    const text = 'from fastmcp import FastMCP\nmcp = FastMCP("x", port=8000)\nmcp.run(transport="http")\n';
    const { out } = await applyFix(text, 'MCP602', /Move/, project({ fastmcp: '3.1.0' }));
    assert.ok(out.includes('mcp = FastMCP("x")\n'));
    assert.ok(out.includes('mcp.run(transport="http", port=8000)'));
  });

  it('missing run() → appended __main__ guard', async () => {
    const { out } = await applyFix(readFixture('python_no_entrypoint.py'), 'MCP104', /__main__/);
    assert.ok(out.endsWith('\nif __name__ == "__main__":\n    mcp.run()\n'));
    const again = await analyze('fix.py', out, project({ fastmcp: '3.1.0' }));
    assert.equal(again.hits.filter((h) => h.ruleId === 'MCP104').length, 0);
    assert.equal(again.servers[0].transport, 'stdio');
  });

  it('CRLF files get CRLF in inserted lines', async () => {
    const text = `${server}print("x")\n`.replace(/\n/g, '\r\n');
    const { out } = await applyFix(text, 'MCP101', /stderr/);
    assert.ok(out.includes('import sys\r\n'));
    assert.ok(!/[^\r]\n/.test(out));
  });
});
