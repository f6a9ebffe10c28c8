import * as assert from 'node:assert/strict';
import { composeRules, dockerfileRules, procfileRules } from '../../../../src/core/rules/project/deploymentRules';
import type { RuleHit } from '../../../../src/core/rules/types';
import { contextWith, line } from '../helpers';

/** The text a hit's range covers (single-line ranges). */
function covered(text: string, hit: RuleHit): string {
  return text.split('\n')[hit.range.start.line].slice(hit.range.start.character, hit.range.end.character);
}

describe('deployment rules', () => {
  describe('Dockerfile', () => {
    it('MCP601: a Python base image below 3.10 for an mcp/fastmcp server', () => {
      const text = 'FROM python:3.9-slim\nRUN pip install --no-cache-dir fastmcp\nCMD ["python", "server.py"]\n';
      const hits = dockerfileRules('/p/Dockerfile', text, contextWith({}));
      assert.deepEqual(
        hits.map((h) => [h.ruleId, line(h), covered(text, h)]),
        [['MCP601', 1, '3.9']],
      );
      assert.equal(hits[0].fixes?.[0].edits[0].newText, '3.12');
    });

    it('MCP601: Node images and uv images, with --platform and stage names', () => {
      const node = 'FROM --platform=linux/amd64 node:16-alpine AS build\n';
      const h = dockerfileRules('/p/Dockerfile', node, contextWith({ '@modelcontextprotocol/sdk': '1.20.0' }));
      assert.deepEqual(
        h.map((x) => covered(node, x)),
        ['16'],
      );
      // SDK 0.6.0 declares no engines: an old Node image is no MCP601 for it.
      assert.deepEqual(
        dockerfileRules('/p/Dockerfile', node, contextWith({ '@modelcontextprotocol/sdk': '0.6.0' })),
        [],
      );
      const uv = 'FROM ghcr.io/astral-sh/uv:python3.9-bookworm-slim\n';
      assert.equal(dockerfileRules('/p/Dockerfile', uv, contextWith({ mcp: '1.9.4' }))[0]?.ruleId, 'MCP601');
    });

    it('MCP601: no finding for current images or non-MCP projects', () => {
      assert.deepEqual(
        dockerfileRules('/p/Dockerfile', 'FROM python:3.12-slim\nRUN pip install mcp\n', contextWith({})),
        [],
      );
      assert.deepEqual(
        dockerfileRules('/p/Dockerfile', 'FROM python:3.8\nRUN pip install flask\n', contextWith({})),
        [],
      );
      assert.deepEqual(dockerfileRules('/p/Dockerfile', 'FROM python:3.10\n', contextWith({ mcp: '1.9.4' })), []);
    });

    it('MCP106: loopback --host, loopback HOST env, and uvicorn without --host', () => {
      const text = [
        'FROM python:3.12',
        'ENV FASTMCP_HOST=127.0.0.1',
        'CMD ["fastmcp", "run", "server.py", "--transport", "http", "--host", "localhost"]',
      ].join('\n');
      const hits = dockerfileRules('/p/Dockerfile', text, contextWith({ fastmcp: '2.12.0' }));
      const got = hits
        .map((h) => [h.ruleId, line(h), covered(text, h)])
        .sort((a, b) => (a[1] as number) - (b[1] as number));
      assert.deepEqual(got, [
        ['MCP106', 2, '127.0.0.1'],
        ['MCP106', 3, 'localhost'],
      ]);
      for (const h of hits) assert.equal(h.fixes?.[0].edits[0].newText, '0.0.0.0');
      const uvicorn = 'FROM python:3.12\nCMD ["uvicorn", "server:app", "--port", "8000"]\n';
      const u = dockerfileRules('/p/Dockerfile', uvicorn, contextWith({ mcp: '1.12.0' }));
      assert.deepEqual(
        u.map((h) => [h.ruleId, covered(uvicorn, h)]),
        [['MCP106', 'uvicorn']],
      );
      // The fix appends the flag inside the JSON array.
      const edit = u[0].fixes![0].edits[0];
      const lines = uvicorn.split('\n');
      const fixed =
        lines[1].slice(0, edit.range.start.character) + edit.newText + lines[1].slice(edit.range.end.character);
      assert.equal(fixed, 'CMD ["uvicorn", "server:app", "--port", "8000", "--host", "0.0.0.0"]');
      const shell = 'FROM python:3.12\nCMD uvicorn server:app --port 8000\n';
      assert.equal(
        dockerfileRules('/p/Dockerfile', shell, contextWith({ mcp: '1.12.0' }))[0].fixes![0].edits[0].newText,
        ' --host 0.0.0.0',
      );
    });

    it('MCP106: no finding when bound to 0.0.0.0 or for a stdio command', () => {
      assert.deepEqual(
        dockerfileRules(
          '/p/Dockerfile',
          'FROM python:3.12\nCMD ["uvicorn", "s:app", "--host", "0.0.0.0"]\n',
          contextWith({ mcp: '1.12.0' }),
        ),
        [],
      );
      assert.deepEqual(
        dockerfileRules(
          '/p/Dockerfile',
          'FROM python:3.12\nCMD ["python", "server.py"]\n',
          contextWith({ mcp: '1.12.0' }),
        ),
        [],
      );
      assert.deepEqual(
        dockerfileRules(
          '/p/Dockerfile',
          'FROM python:3.12\nENV FASTMCP_HOST=0.0.0.0\nCMD uvicorn s:app\n',
          contextWith({ mcp: '1.12.0' }),
        ),
        [],
      );
    });

    it('MCP110: several workers (downgraded: statefulness is decided in source)', () => {
      const text = 'FROM python:3.12\nCMD ["uvicorn", "s:app", "--host", "0.0.0.0", "--workers", "4"]\n';
      const hits = dockerfileRules('/p/Dockerfile', text, contextWith({ mcp: '1.12.0' }));
      assert.deepEqual(
        hits.map((h) => [h.ruleId, covered(text, h), h.downgrade]),
        [['MCP110', '4', true]],
      );
      assert.deepEqual(
        dockerfileRules('/p/Dockerfile', text.replace('"4"', '"1"'), contextWith({ mcp: '1.12.0' })),
        [],
      );
    });

    it('handles line continuations with exact positions', () => {
      const text = 'FROM python:3.12\nCMD uvicorn server:app \\\n    --host 127.0.0.1 \\\n    --port 8000\n';
      const hits = dockerfileRules('/p/Dockerfile', text, contextWith({ mcp: '1.12.0' }));
      assert.deepEqual(
        hits.map((h) => [line(h), covered(text, h)]),
        [[3, '127.0.0.1']],
      );
    });
  });

  describe('docker-compose', () => {
    const COMPOSE = [
      'services:',
      '  mcp:',
      '    image: "python:3.8"',
      '    command: python server.py --host localhost',
      '    environment:',
      '      FASTMCP_HOST: "127.0.0.1"',
      '    deploy:',
      '      replicas: 3',
      '',
    ].join('\n');

    it('MCP601 image, MCP106 command and environment, MCP110 replicas', () => {
      const hits = composeRules('/p/docker-compose.yml', COMPOSE, contextWith({ mcp: '1.9.4' }));
      const got = hits
        .map((h) => [h.ruleId, line(h), covered(COMPOSE, h)])
        .sort((a, b) => (a[1] as number) - (b[1] as number));
      assert.deepEqual(got, [
        ['MCP601', 3, '3.8'],
        ['MCP106', 4, 'localhost'],
        ['MCP106', 6, '127.0.0.1'],
        ['MCP110', 8, '3'],
      ]);
    });

    it('no findings for a healthy compose file or invalid YAML', () => {
      const ok =
        'services:\n  mcp:\n    image: python:3.12\n    command: uvicorn s:app --host 0.0.0.0\n    deploy:\n      replicas: 1\n';
      assert.deepEqual(composeRules('/p/compose.yaml', ok, contextWith({ mcp: '1.9.4' })), []);
      assert.deepEqual(composeRules('/p/compose.yaml', 'services: [\n  - : :', contextWith({ mcp: '1.9.4' })), []);
    });
  });

  describe('Procfile', () => {
    it('MCP110 for gunicorn -w 4, nothing for one worker', () => {
      const text = 'web: gunicorn -w 4 -k uvicorn.workers.UvicornWorker server:app\n';
      const hits = procfileRules('/p/Procfile', text, contextWith({ mcp: '1.9.4' }));
      assert.deepEqual(
        hits.map((h) => [h.ruleId, covered(text, h)]),
        [['MCP110', '4']],
      );
      assert.deepEqual(
        procfileRules('/p/Procfile', 'web: uvicorn server:app --workers 1\n', contextWith({ mcp: '1.9.4' })),
        [],
      );
    });
  });
});
