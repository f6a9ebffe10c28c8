// Builds the bundles: the extension (Node, CJS), the CLI (Node, CJS) and the trace and result
// webviews (browser, IIFE, and their stylesheets), plus the integration test files. `--watch`
// rebuilds on change, `--production` minifies. Type-checking is separate: `npm run typecheck`.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const versionOf = (file) => JSON.parse(readFileSync(file, 'utf8')).version;
/** Versions shown by the CLI, the report and the client info, read from package.json at build time. */
const define = {
  __MCP_DOCTOR_VERSION__: JSON.stringify(versionOf('package.json')),
  __MCP_SDK_VERSION__: JSON.stringify(versionOf('node_modules/@modelcontextprotocol/client/package.json')),
};

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  // Prefer ESM builds: jsonc-parser's UMD build requires its modules dynamically, which a bundle cannot follow.
  mainFields: ['module', 'main'],
  external: ['vscode'],
  plugins: [],
  define,
};

/**
 * The TypeScript compiler is large and only the rules engine needs it: it stays out of the
 * bundles and loads lazily from dist/typescript.js, a copy of its standalone lib file.
 */
const lazyTypeScript = {
  name: 'lazy-typescript',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: './typescript.js', external: true }));
  },
};

/** Reports build errors in the format of the esbuild problem matcher. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => {
      if (watch) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

/** A webview front end (browser, IIFE). */
function webview(entry, outfile) {
  return {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: [entry],
    outfile,
    plugins: [problemMatcher],
  };
}

/** A webview stylesheet, with what it imports (media/shared/*.css) bundled in. */
function stylesheet(entry, outfile) {
  return {
    bundle: true,
    minify: production,
    logLevel: 'warning',
    entryPoints: [entry],
    outfile,
    plugins: [problemMatcher],
  };
}

/** The test files run inside VS Code: the integration suites, and the smoke suite of the package. */
function testEntries(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

const builds = [
  {
    ...node,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    plugins: [lazyTypeScript, problemMatcher],
  },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyTypeScript, problemMatcher],
  },
  // Analyzer worker threads for workspace lint passes (the engine finds it next to its bundle).
  {
    ...node,
    entryPoints: ['src/core/rules/worker/lintWorker.ts'],
    outfile: 'dist/lintWorker.js',
    plugins: [lazyTypeScript, problemMatcher],
  },
  webview('media/trace/main.ts', 'dist/webview/trace.js'),
  webview('media/result/main.ts', 'dist/webview/result.js'),
  stylesheet('media/trace/trace.css', 'dist/webview/trace.css'),
  stylesheet('media/result/result.css', 'dist/webview/result.css'),
  ...['integration', 'smoke'].map((suite) => ({
    ...node,
    entryPoints: testEntries(`test/${suite}`),
    outdir: `dist/test/${suite}`,
    external: [...node.external, 'typescript', 'mocha', '@vscode/test-electron'],
  })),
  // The conformance suite's client (test/conformance/run.mjs runs it).
  {
    ...node,
    entryPoints: ['test/conformance/client.ts'],
    outfile: 'dist/test/conformance/client.js',
    plugins: [lazyTypeScript, problemMatcher],
  },
].filter((b) => (b.entryPoints ?? []).every((e) => existsSync(e)) && (b.entryPoints ?? []).length > 0);

/** Runtime assets that are not built: grammars, the TypeScript compiler, codicons. */
function copyAssets() {
  mkdirSync('dist/wasm', { recursive: true });
  cpSync('node_modules/web-tree-sitter/tree-sitter.wasm', 'dist/wasm/tree-sitter.wasm');
  cpSync('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/wasm/tree-sitter-python.wasm');
  cpSync('node_modules/typescript/lib/typescript.js', 'dist/typescript.js');
  mkdirSync('dist/webview', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf'])
    cpSync(join('node_modules/@vscode/codicons/dist', f), join('dist/webview', f));
}

copyAssets();
if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
