import assert from 'node:assert/strict';
import { analyze, project, readFixture } from './helpers';

const line = (r: { start: { line: number } }) => r.start.line + 1;

describe('python analyzer: shared facts', () => {
  it('extracts tools, resources, templates and prompts with names, descriptions, params and ranges', async () => {
    const text = [
      'from fastmcp import FastMCP, Context', // 1
      '', // 2
      'mcp = FastMCP("demo")', // 3
      '', // 4
      '@mcp.tool', // 5
      'def add(a: int, b: int = 2) -> int:', // 6
      '    """Add two numbers.', // 7
      '', // 8
      '    Returns the sum.', // 9
      '    """', // 10
      '    return a + b', // 11
      '', // 12
      '@mcp.tool(name="mul", description="Multiply.")', // 13
      'async def multiply(x: float, y: float, ctx: Context) -> float:', // 14
      '    return x * y', // 15
      '', // 16
      '@mcp.resource("config://app")', // 17
      'def config() -> str:', // 18
      '    return "{}"', // 19
      '', // 20
      '@mcp.resource("users://{user_id}/profile", description="A profile")', // 21
      'def profile(user_id: str) -> dict:', // 22
      '    return {}', // 23
      '', // 24
      '@mcp.prompt()', // 25
      'def review(code: str) -> str:', // 26
      "    '''Review code.'''", // 27
      '    return code', // 28
      '', // 29
      'def plain(q: str, *rest, **opts) -> str:', // 30
      '    """Registered with add_tool."""', // 31
      '    return q', // 32
      '', // 33
      'mcp.add_tool(plain)', // 34
      '', // 35
      'if __name__ == "__main__":', // 36
      '    mcp.run()', // 37
    ].join('\n');
    const a = await analyze('defs.py', text, project({ fastmcp: '3.1.0' }));
    assert.equal(a.framework, 'fastmcp');
    assert.deepEqual(
      a.servers.map((s) => [s.name, s.transport, line(s.range)]),
      [['mcp', 'stdio', 3]],
    );
    const byName = new Map(a.definitions.map((d) => [d.name, d]));
    assert.deepEqual([...byName.keys()], ['add', 'mul', 'config', 'profile', 'review', 'plain']);

    const add = byName.get('add')!;
    assert.equal(add.kind, 'tool');
    assert.equal(add.description, 'Add two numbers.\n\nReturns the sum.');
    assert.deepEqual(add.params, [
      { name: 'a', type: 'int', optional: false },
      { name: 'b', type: 'int', optional: true },
    ]);
    assert.equal(line(add.nameRange), 5);
    assert.equal(line(add.range), 5);
    assert.equal(add.range.end.line + 1, 11);
    assert.equal(add.framework, 'fastmcp');
    assert.ok(add.file.endsWith('defs.py'));

    const mul = byName.get('mul')!;
    assert.equal(mul.description, 'Multiply.');
    assert.deepEqual(
      mul.params.map((p) => p.name),
      ['x', 'y'],
      'the Context parameter is not a user parameter',
    );
    assert.equal(line(mul.nameRange), 13);

    assert.equal(byName.get('config')!.kind, 'resource');
    assert.equal(byName.get('config')!.uri, 'config://app');
    assert.equal(byName.get('config')!.description, undefined);
    const profile = byName.get('profile')!;
    assert.equal(profile.kind, 'resourceTemplate');
    assert.equal(profile.uri, 'users://{user_id}/profile');
    assert.equal(profile.description, 'A profile');
    assert.equal(byName.get('review')!.kind, 'prompt');
    assert.equal(byName.get('review')!.description, 'Review code.');

    const plain = byName.get('plain')!;
    assert.equal(plain.kind, 'tool');
    assert.equal(line(plain.nameRange), 34, 'the code lens goes on the add_tool call');
    assert.equal(line(plain.range), 30);
    assert.deepEqual(plain.params, [
      { name: 'q', type: 'str', optional: false },
      { name: 'rest', type: undefined, optional: true },
      { name: 'opts', type: undefined, optional: true },
    ]);
  });

  it('follows import aliases for the server class and the framework flavour', async () => {
    const cases: [string, string][] = [
      [
        'import fastmcp as fm\nsrv = fm.FastMCP("a")\n@srv.tool()\ndef t() -> str:\n    """T."""\n    return ""\nsrv.run()\n',
        'fastmcp',
      ],
      [
        'from fastmcp import FastMCP as F\nsrv = F("a")\n@srv.tool()\ndef t() -> str:\n    """T."""\n    return ""\nsrv.run()\n',
        'fastmcp',
      ],
      [
        'from mcp.server.fastmcp import FastMCP as Server\nsrv = Server("a")\n@srv.tool()\ndef t() -> str:\n    """T."""\n    return ""\nsrv.run()\n',
        'mcp-python-sdk',
      ],
      [
        'import mcp.server.fastmcp as m\nsrv = m.FastMCP("a")\n@srv.tool()\ndef t() -> str:\n    """T."""\n    return ""\nsrv.run()\n',
        'mcp-python-sdk',
      ],
      [
        'from mcp.server import MCPServer\nsrv = MCPServer("a")\n@srv.tool()\ndef t() -> str:\n    """T."""\n    return ""\nsrv.run()\n',
        'mcp-python-sdk',
      ],
    ];
    for (const [text, fw] of cases) {
      const a = await analyze('alias.py', text);
      assert.equal(a.framework, fw, text);
      assert.deepEqual(
        a.servers.map((s) => s.name),
        ['srv'],
        text,
      );
      assert.deepEqual(
        a.definitions.map((d) => d.name),
        ['t'],
        text,
      );
      assert.deepEqual(a.hits, [], text);
    }
  });

  it('a FastMCP class from another package is not a server', async () => {
    const a = await analyze(
      'other.py',
      'from mylib import FastMCP\nmcp = FastMCP("x")\n@mcp.tool\ndef f(a): print(a)\n',
    );
    assert.deepEqual(a.servers, []);
    assert.deepEqual(a.hits, []);
  });

  it('an MCP client script (mcp.ClientSession, mcp.types) is not a server file', async () => {
    const text =
      'from mcp import ClientSession, StdioServerParameters\nfrom mcp.types import TextContent\nprint("client")\nopen("log.txt", "w")\n';
    const a = await analyze('client.py', text);
    assert.equal(a.framework, undefined);
    assert.deepEqual(a.hits, []);
  });

  it('computes the transport of each server', async () => {
    const head = 'import os, sys\nfrom fastmcp import FastMCP\nmcp = FastMCP("x")\n';
    const cases: [string, string][] = [
      ['mcp.run()', 'stdio'],
      ['mcp.run(transport="stdio")', 'stdio'],
      ['mcp.run("http", port=8000)', 'http'],
      ['mcp.run(transport="streamable-http")', 'http'],
      ['mcp.run(transport="sse")', 'sse'],
      ['mcp.run(transport=os.environ.get("TRANSPORT", "stdio"))', 'unknown'],
      ['mcp.run(transport=sys.argv[1])', 'unknown'],
      ['app = mcp.http_app()', 'http'],
      ['app = mcp.http_app(transport="sse")', 'sse'],
      ['import anyio\nanyio.run(mcp.run_stdio_async)', 'stdio'],
      ['if "--http" in sys.argv:\n    mcp.run(transport="http")\nelse:\n    mcp.run()', 'unknown'],
      ['', 'none'],
    ];
    for (const [tail, transport] of cases) {
      const a = await analyze('t.py', head + tail + '\n');
      assert.equal(a.servers[0].transport, transport, tail);
    }
  });

  it('servers imported from a local module register definitions with an unknown transport', async () => {
    const a = await analyze('helper_module.py', readFixture('helper_module.py'), project({ fastmcp: '3.1.0' }));
    assert.deepEqual(
      a.servers.map((s) => [s.name, s.transport]),
      [['mcp', 'unknown']],
    );
    assert.deepEqual(
      a.definitions.map((d) => [d.name, d.description]),
      [['hello', 'Say hello.']],
    );
  });

  it('reference fixtures: definitions of the official-SDK bad server', async () => {
    const a = await analyze('python_bad_1.py', readFixture('python_bad_1.py'), project({ mcp: '1.9.4' }));
    assert.equal(a.definitions.length, 11);
    assert.deepEqual(
      a.definitions.filter((d) => d.name === 'lookup_sku').map((d) => line(d.nameRange)),
      [89, 95],
    );
    const tpl = a.definitions.find((d) => d.kind === 'resourceTemplate')!;
    assert.equal(tpl.uri, 'catalog://{category}/items');
    assert.equal(a.definitions.find((d) => d.name === 'lookup')!.description, undefined);
    assert.equal(a.definitions.find((d) => d.name === 'export data')!.params[0].type, 'str');
  });
});
