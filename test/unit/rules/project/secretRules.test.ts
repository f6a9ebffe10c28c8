import * as assert from 'node:assert/strict';
import { secretRules } from '../../../../src/core/rules/project/secretRules';
import { line } from '../helpers';

// Token-shaped strings are assembled at run time so the repository holds no secret-looking literals.
const GH = 'ghp' + '_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const AWS = 'AKIA' + 'IOSFODNN7EXAMPLF';
const SK = 'sk-' + 'proj-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2';
const SLACK = 'xoxb' + '-1234567890-abcdefghij';

describe('secret rules (MCP505)', () => {
  it('finds known token shapes at their exact range', () => {
    const text = `import os\n\nclient = Github("${GH}")\nkey = "${AWS}"\n`;
    const hits = secretRules('/p/s.py', text, { language: 'python' });
    assert.deepEqual(
      hits.map((h) => [h.ruleId, line(h)]),
      [
        ['MCP505', 3],
        ['MCP505', 4],
      ],
    );
    const l = text.split('\n')[2];
    assert.equal(l.slice(hits[0].range.start.character, hits[0].range.end.character), GH);
    assert.equal(hits[0].fixes?.[0].edits[0].newText, 'os.environ["GITHUB_TOKEN"]');
  });

  it('finds OpenAI, Slack and bearer literals in TypeScript, with a process.env fix', () => {
    const text = `const a = "${SK}";\nconst b = '${SLACK}';\nconst h = { Authorization: "Bearer abcdefghijklmnopqrstuvwxyz012345" };\n`;
    const hits = secretRules('/p/s.ts', text, { language: 'typescript' });
    assert.deepEqual(hits.map(line).sort(), [1, 2, 3]);
    assert.equal(hits.find((h) => line(h) === 1)?.fixes?.[0].edits[0].newText, '(process.env.OPENAI_API_KEY ?? "")');
  });

  it('finds literals assigned to secret-looking names', () => {
    const text = 'API_KEY = "q8w7e6r5t4y3u2i1"\nconfig = {"client_secret": "s3cr3tv4lu3abc"}\n';
    const hits = secretRules('/p/s.py', text, { language: 'python' });
    assert.deepEqual(hits.map(line), [1, 2]);
    assert.match(hits[0].message, /API_KEY/);
  });

  it('a secret-looking key inside a template whose value is an interpolation is not a committed secret; a literal value there is', () => {
    const py = [
      'page = f"""',
      '{{"env": {{',
      '  "SERVICE_URL": "{url}",',
      '  "SERVICE_ACCESS_TOKEN": "{token_data["access_token"]}",',
      '  "SERVICE_API_KEY": "{keys.get("primary")}",',
      '  "LEGACY_TOKEN": "%(token)s"',
      '}}}}',
      '"""',
      `sample = f'"SERVICE_API_KEY": "q8w7e6r5t4y3u2i1"'`,
      '',
    ].join('\n');
    assert.deepEqual(secretRules('/p/pages.py', py, { language: 'python' }).map(line), [9]);
    const ts =
      'const body = `{"apiKey": "${cfg["apiKey"]}", "token": "${session.token}"}`;\nconst sample = `"apiKey": "q8w7e6r5t4y3u2i1"`;\n';
    assert.deepEqual(secretRules('/p/pages.ts', ts, { language: 'typescript' }).map(line), [2]);
  });

  it('ignores placeholders, env lookups, interpolations and variable names', () => {
    const text = [
      'API_KEY = os.environ["API_KEY"]',
      'TOKEN = "your-token-here"',
      'PASSWORD = "changeme123"',
      'SECRET_ENV = "OPENAI_API_KEY"',
      'headers = {"Authorization": f"Bearer {token}"}',
      'token = ""',
      'const auth = `Bearer ${process.env.TOKEN}`;',
      'api_key = "xxxxxxxxxxxxxxxx"',
      'MEMORY_API_TOKEN = "not-a-real-secret"',
      'token = "demo-token-123456789"',
      'API_KEY = "mock_api_key_for_tests"',
    ].join('\n');
    assert.deepEqual(secretRules('/p/s.py', text, { language: 'python' }), []);
  });
});
