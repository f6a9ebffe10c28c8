// Hostile inputs (issue 11): what one config file or one server message costs the extension
// host, in CPU time and memory. Each case runs in its own Node process (`--expose-gc`), so a
// case that takes minutes or gigabytes is killed at the timeout and reported as such.
//
//   node bench/hostile.mjs                      # this checkout
//   node bench/hostile.mjs --repo ../other      # another checkout (e.g. main, for "before")
//   node bench/hostile.mjs --only yaml-keys-82B --timeout 120
//
// Prints one JSON line per case: { case, ms (CPU), wallMs, peakRssMB, heapAfterGcMB, ...extra }.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = fileURLToPath(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};

const yaml = (body) => `name: x\nmcpServers:\n  - name: s\n    command: npx\n${body}`;
const laughs = () => {
  let y = 'mcpServers:\n  - name: s\n    command: npx\nx0: &a0 [a, a, a, a, a, a, a, a, a, a]\n';
  for (let i = 1; i < 10; i++)
    y += `x${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  return y;
};

/** Each case: what it feeds, to which core function. `core` is the bundled src/core of a checkout. */
const CASES = {
  'yaml-keys-82B': (core) => {
    // A map key that is itself a map, 27 levels deep, in an 82-byte Continue file.
    const text = `${'{'.repeat(27)}a${'}'.repeat(27)}: 1\nmcpServers: []\n# ${'-'.repeat(5)}\n`;
    return parse(core, 'continue', text);
  },
  'yaml-keys-2.4KB': (core) => {
    const text = yaml(Array.from({ length: 40 }, (_, i) => `${'{'.repeat(25)}k${i}${'}'.repeat(25)}: 1`).join('\n'));
    return parse(core, 'continue', text);
  },
  'yaml-aliases-611B': (core) => parse(core, 'continue', laughs()),
  'toml-inline-24KB': (core) => {
    const deep = `${'{ b = '.repeat(1000)}1${' }'.repeat(1000)}`;
    const text = `[mcp_servers.s]\ncommand = "npx"\n[x]\na1 = ${deep}\na2 = ${deep}\na3 = ${deep}\n`;
    return parse(core, 'codex', text);
  },
  'json-deep-10000': (core) =>
    parse(core, 'mcp-servers', `{"mcpServers":{"s":{"command":"npx"}},"z":${'['.repeat(10_000)}${']'.repeat(10_000)}}`),
  'redact-200KB-url': (core) => {
    const text = `${'a.'.repeat(100_000)}://`;
    return { bytes: text.length, out: core.redactString(text).length };
  },
  'detail-pane-200KB-url': (core) => {
    const text = `${'a.'.repeat(100_000)}://`;
    return {
      json: core.prettyJson({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } }).json.length,
    };
  },
  'stderr-100KB-tree-refresh': (core) => ({ out: core.redactText(`${'a.'.repeat(50_000)}://`).length }),
  'outputSchema-(a|aa)+-39': (core) => {
    const schema = { type: 'object', properties: { s: { type: 'string', pattern: '^(a|aa)+$' } } };
    return { ok: core.validateAgainst(schema, { s: `${'a'.repeat(39)}b` }).ok };
  },
  'dockerfile-30KB-line': (core) => {
    const text = `FROM python:3.9\nRUN ${'pip install '.repeat(2_500)}x\n`;
    return { hits: core.dockerfileRules('/p/Dockerfile', text, core.emptyContext('/p')).length };
  },
  'recorder-300x1.2MB': (core) => {
    global.gc();
    const before = process.memoryUsage().heapUsed;
    const rec = new core.TraceRecorder({ serverId: 's', serverName: 's', maxBytes: 1024 * 1024 * 1024 });
    for (let i = 0; i < 300; i++)
      rec.message(
        'in',
        { jsonrpc: '2.0', method: 'notifications/message', params: { data: `${i}${'x'.repeat(1_200_000)}` } },
        i,
      );
    global.gc();
    const held = process.memoryUsage().heapUsed - before;
    return {
      chargedMB: +(rec.memoryBytes / 1048576).toFixed(2),
      heldMB: +(held / 1048576).toFixed(1),
      keep: rec.length,
    };
  },
  'import-size-0-20MB': async (core) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hostile-'));
    const file = path.join(dir, 't.jsonl');
    const write = () => {
      const msg = { jsonrpc: '2.0', id: 1, result: { payload: 'y'.repeat(20_000_000) } };
      fs.writeFileSync(file, `${JSON.stringify({ seq: 1, ts: 1, dir: 'in', kind: 'message', size: 0, msg })}\n`);
    };
    write();
    global.gc();
    const before = process.memoryUsage().heapUsed;
    const r = await core.readTraceFile(file);
    global.gc();
    const held = process.memoryUsage().heapUsed - before;
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      chargedKB: Math.round(r.recorder.memoryBytes / 1024),
      heldMB: +(held / 1048576).toFixed(1),
      truncated: !!r.recorder.get(1)?.truncated,
    };
  },
  'secrets-in-trace-redaction': (core) => {
    const samples = [
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ',
      'api_key=abcd1234efgh',
      'xoxr-1234567890-abcdefghijkl',
      '--password=hunter22',
      '--token tok-value-1',
    ];
    return {
      leaked: samples.filter((s) => core.redactString(`x ${s} y`).includes(s.split(/[= ]/).pop())).length,
      of: samples.length,
    };
  },
  'toolLint-ref-%': (core) => {
    try {
      core.lintToolList([
        { name: 't', description: 'd', inputSchema: { type: 'object', properties: { a: { $ref: '#/%' } } } },
      ]);
      return { threw: false };
    } catch (err) {
      return { threw: String(err).slice(0, 60) };
    }
  },
};

function parse(core, format, text) {
  const client = format === 'continue' ? 'continue' : format === 'codex' ? 'codex' : 'claude-desktop';
  const file =
    format === 'continue'
      ? '/w/.continue/mcpServers/x.yaml'
      : format === 'codex'
        ? '/w/.codex/config.toml'
        : '/w/.mcp.json';
  const r = core.parseConfigText(
    file,
    text,
    { file, client, format, scope: 'workspace', workspaceFolder: '/w' },
    { env: {} },
  );
  return {
    bytes: Buffer.byteLength(text),
    servers: r.servers.length,
    codes: [...new Set(r.findings.map((f) => f.code))].join(','),
  };
}

async function bundle(repo) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-hostile-core-'));
  const outfile = path.join(dir, 'core.cjs');
  const has = (p) => fs.existsSync(path.join(repo, p));
  const exports = [
    "export { parseConfigText } from './src/core/config/parse';",
    "export { redactString } from './src/core/trace/redact';",
    "export { redactText } from './src/core/session/report';",
    "export { prettyJson } from './src/core/trace/display';",
    "export { validateAgainst } from './src/core/session/jsonSchema';",
    "export { dockerfileRules } from './src/core/rules/project/deploymentRules';",
    "export { TraceRecorder } from './src/core/trace/recorder';",
    "export { readTraceFile } from './src/core/trace/store';",
    "export { lintToolList } from './src/core/session/toolLint';",
    "export { emptyContext } from './src/core/rules/project';",
  ].filter((l) => has(`${l.split("'")[1]}.ts`));
  await esbuild.build({
    stdin: { contents: exports.join('\n'), resolveDir: repo, loader: 'ts', sourcefile: 'bench-entry.ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
    mainFields: ['module', 'main'],
    nodePaths: [path.join(path.dirname(path.dirname(HERE)), 'node_modules')],
  });
  return outfile;
}

async function child(name, corePath) {
  const { createRequire } = await import('node:module');
  const core = createRequire(HERE)(corePath);
  const cpu = process.cpuUsage();
  const t = performance.now();
  const extra = await CASES[name](core);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - t;
  global.gc();
  process.stdout.write(
    `${JSON.stringify({
      case: name,
      ms: Math.round((used.user + used.system) / 1000),
      wallMs: Math.round(wallMs),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      heapAfterGcMB: +(process.memoryUsage().heapUsed / 1048576).toFixed(1),
      ...extra,
    })}\n`,
  );
}

function runCase(name, corePath, timeoutS) {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--expose-gc', '--max-old-space-size=8192', HERE, '--child', name, '--core', corePath],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const started = Date.now();
    let peak = 0;
    const sampler = setInterval(() => {
      try {
        const rss = Number(fs.readFileSync(`/proc/${p.pid}/statm`, 'utf8').split(' ')[1]) * 4096;
        peak = Math.max(peak, rss);
      } catch {
        // gone
      }
    }, 100);
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutS * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      if (out.trim()) resolve(out.trim());
      else
        resolve(
          JSON.stringify({
            case: name,
            killed: signal ?? `exit ${code}`,
            afterS: Math.round((Date.now() - started) / 1000),
            peakRssMB: Math.round(peak / 1048576),
            error: err
              .split('\n')
              .find((l) => /Error|FATAL/.test(l))
              ?.slice(0, 120),
          }),
        );
    });
  });
}

if (process.argv.includes('--child')) {
  await child(arg('child'), arg('core'));
} else {
  const repo = path.resolve(arg('repo', path.dirname(path.dirname(HERE))));
  const timeoutS = Number(arg('timeout', '120'));
  const only = arg('only');
  const corePath = await bundle(repo);
  process.stderr.write(`hostile inputs on ${repo} (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)})\n`);
  for (const name of Object.keys(CASES)) {
    if (only && !only.split(',').includes(name)) continue;
    console.log(await runCase(name, corePath, timeoutS));
  }
}
