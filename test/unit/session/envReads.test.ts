import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { secretEnvReadsOf, serverCode } from '../../../src/core/runtime/envReads';

describe('runtime: secret environment variables a server reads (MCP725 from the code)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-env-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('finds the package of an installed server and the secret names its code reads, with their lines', async () => {
    write('node_modules/@acme/server-x/package.json', '{"name":"@acme/server-x"}');
    write(
      'node_modules/@acme/server-x/dist/index.js',
      'const port = process.env.PORT;\nconst token = process.env.ACME_API_TOKEN;\nconst k = process.env["ACME_SIGNING_KEY"];\n',
    );
    write('node_modules/@acme/server-x/dist/lib/util.mjs', 'export const t = process.env.ACME_API_TOKEN;\n');
    write('node_modules/@acme/server-x/node_modules/dep/index.js', 'process.env.DEP_TOKEN');
    const code = await serverCode('node', ['node_modules/@acme/server-x/dist/index.js'], dir);
    assert.deepEqual(code, { package: path.join(dir, 'node_modules/@acme/server-x') });
    const reads = await secretEnvReadsOf(code!);
    assert.deepEqual(
      reads.map((r) => [r.name, path.basename(r.file), r.line]),
      [
        ['ACME_API_TOKEN', 'index.js', 1],
        ['ACME_SIGNING_KEY', 'index.js', 2],
      ],
      'PORT is not a secret; dependencies are not the server',
    );
  });

  it('a project script is read with the local modules it imports, not its folder or project (Python, TypeScript)', async () => {
    write('package.json', '{"name":"monorepo"}');
    write('other/app.js', 'process.env.UNRELATED_SECRET');
    write('servers/py/server.py', 'import os\nimport weather\nkey = os.environ.get("WEATHER_API_KEY")\n');
    write('servers/py/weather.py', 'import os\ntok = os.getenv("WEATHER_TOKEN")\n');
    write('servers/py/unrelated.py', 'import os\nx = os.getenv("SOME_OTHER_SECRET")\n');
    write('servers/ts/main.ts', "import { client } from './client.js';\nconst s = process.env.TS_SERVER_SECRET;");
    write('servers/ts/client.ts', 'export const client = process.env.TS_CLIENT_TOKEN;');
    const py = await serverCode('python', ['servers/py/server.py'], dir);
    assert.deepEqual(py, { script: path.join(dir, 'servers/py/server.py') });
    assert.deepEqual(
      (await secretEnvReadsOf(py!)).map((r) => r.name),
      ['WEATHER_API_KEY', 'WEATHER_TOKEN'],
    );
    const ts = await serverCode('npx', ['tsx', 'servers/ts/main.ts'], dir);
    assert.deepEqual(
      (await secretEnvReadsOf(ts!)).map((r) => r.name),
      ['TS_SERVER_SECRET', 'TS_CLIENT_TOKEN'],
    );
  });

  it('finds a package npx runs from its cache', async () => {
    write('home/.npm/_npx/abc123/node_modules/@acme/tool/package.json', '{}');
    assert.deepEqual(await serverCode('npx', ['-y', '@acme/tool@1.2.3'], dir, path.join(dir, 'home')), {
      package: path.join(dir, 'home/.npm/_npx/abc123/node_modules/@acme/tool'),
    });
    assert.equal(await serverCode('npx', ['-y', '@acme/missing'], dir, path.join(dir, 'home')), undefined);
  });
});
