/**
 * Loads web-tree-sitter and the Python grammar once per process. The wasm files are looked up
 * in this order: an explicit folder, `<this module's dir>/wasm` (the esbuild bundle layout:
 * `dist/cli.js` next to `dist/wasm/*.wasm`), then the npm packages in node_modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as WebTreeSitter from 'web-tree-sitter';
import type { Language, Parser } from 'web-tree-sitter';
import { setRawTreeSitter } from './ast';

// `require`, not `import`: esbuild resolves an `import` with the package's "import" condition and
// bundles the ESM build, whose `import.meta.url` is empty in our CJS bundles (createRequire then
// throws). `require` selects `tree-sitter.cjs`, which works both under tsx and in dist/*.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wts = require('web-tree-sitter') as typeof WebTreeSitter;

const RUNTIME_WASM = 'tree-sitter.wasm';
const PYTHON_WASM = 'tree-sitter-python.wasm';

/** The loaded grammar plus a reusable parser (parsing is synchronous once this exists). */
export interface PythonParser {
  parser: Parser;
  language: Language;
}

/** Where both wasm files were found. */
export interface WasmLocation {
  runtime: string;
  grammar: string;
}

function candidates(wasmDir: string | undefined): WasmLocation[] {
  const out: WasmLocation[] = [];
  if (wasmDir) out.push({ runtime: path.join(wasmDir, RUNTIME_WASM), grammar: path.join(wasmDir, PYTHON_WASM) });
  out.push({ runtime: path.join(__dirname, 'wasm', RUNTIME_WASM), grammar: path.join(__dirname, 'wasm', PYTHON_WASM) });
  let runtime: string | undefined;
  let grammar: string | undefined;
  try {
    runtime = path.join(path.dirname(require.resolve('web-tree-sitter')), RUNTIME_WASM);
  } catch {
    /* not installed (bundled extension): the dist/wasm candidate covers it */
  }
  try {
    grammar = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  } catch {
    try {
      grammar = path.join(path.dirname(require.resolve('tree-sitter-python/package.json')), PYTHON_WASM);
    } catch {
      /* not installed */
    }
  }
  if (runtime && grammar) out.push({ runtime, grammar });
  return out;
}

/** Finds the first folder pair where both wasm files exist; undefined when none does. */
export function locateWasm(wasmDir?: string): WasmLocation | undefined {
  return candidates(wasmDir).find((c) => fs.existsSync(c.runtime) && fs.existsSync(c.grammar));
}

let runtimeInit: Promise<void> | undefined;
const grammars = new Map<string, Promise<Language>>();

/**
 * Initializes the runtime (once per process: emscripten keeps one module) and loads the grammar
 * (once per grammar path). Rejects with a readable error when the wasm files cannot be found.
 */
export function loadPythonParser(wasmDir?: string): Promise<PythonParser> {
  const loc = locateWasm(wasmDir);
  if (!loc) {
    const tried = candidates(wasmDir)
      .map((c) => path.dirname(c.runtime))
      .join(', ');
    return Promise.reject(new Error(`tree-sitter wasm files not found (looked in: ${tried})`));
  }
  // Pass the bytes ourselves so bundlers and odd working directories cannot break the lookup.
  // Emscripten uses the options object as the module itself: once initialized it carries the
  // wasm exports, which the tree copy calls directly (see ast.ts; checked, with a fallback).
  const moduleOptions: Record<string, unknown> = {
    wasmBinary: fs.readFileSync(loc.runtime),
    locateFile: (name: string) => (name === RUNTIME_WASM ? loc.runtime : path.join(path.dirname(loc.runtime), name)),
  };
  runtimeInit ??= wts.Parser.init(moduleOptions as Parameters<typeof wts.Parser.init>[0]).then(
    () => {
      const init = moduleOptions._ts_init;
      if (typeof init === 'function') setRawTreeSitter(moduleOptions, init());
    },
    (err: unknown) => {
      runtimeInit = undefined;
      throw err;
    },
  );
  let lang = grammars.get(loc.grammar);
  if (!lang) {
    lang = runtimeInit.then(() => wts.Language.load(new Uint8Array(fs.readFileSync(loc.grammar))));
    lang.catch(() => grammars.delete(loc.grammar));
    grammars.set(loc.grammar, lang);
  }
  return lang.then((language) => {
    const parser = new wts.Parser();
    parser.setLanguage(language);
    return { parser, language };
  });
}
