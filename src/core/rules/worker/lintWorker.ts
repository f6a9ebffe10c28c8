/**
 * Worker-thread entry (bundled as `dist/lintWorker.js`): loads the built-in analyzers once and
 * analyzes the files the engine's pool sends it. The engine keeps caching, project context and
 * cross-file checks on the main thread; this only runs `LanguageAnalyzer.analyze`.
 */
import { parentPort } from 'node:worker_threads';
import type { LanguageAnalyzer } from '../types';
import type { AnalyzeRequest, AnalyzeResponse, WorkerLanguage } from './protocol';

const analyzers = new Map<WorkerLanguage, LanguageAnalyzer>();

function analyzerFor(language: WorkerLanguage): LanguageAnalyzer {
  let a = analyzers.get(language);
  if (!a) {
    // Loaded on first use, like the engine does in-process.
    a =
      language === 'python'
        ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
          (require('../python/index') as typeof import('../python/index')).createPythonAnalyzer()
        : // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy load (see above)
          (require('../typescript/index') as typeof import('../typescript/index')).createTypeScriptAnalyzer();
    analyzers.set(language, a);
  }
  return a;
}

async function handle(req: AnalyzeRequest): Promise<AnalyzeResponse> {
  let analyzer: LanguageAnalyzer;
  try {
    analyzer = analyzerFor(req.language);
  } catch (err) {
    return { id: req.id, ok: false, loadFailed: true, error: errorOf(err) };
  }
  try {
    return { id: req.id, ok: true, analysis: await analyzer.analyze(req.file, req.text, req.project) };
  } catch (err) {
    return { id: req.id, ok: false, error: errorOf(err) };
  }
}

function errorOf(err: unknown): { message: string; stack?: string } {
  return err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) };
}

parentPort?.on('message', (req: AnalyzeRequest) => {
  void handle(req).then((res) => {
    try {
      parentPort!.postMessage(res);
    } catch (err) {
      // An analysis that cannot be cloned (should not happen: plain data) is reported as an error.
      parentPort!.postMessage({ id: req.id, ok: false, error: errorOf(err) } satisfies AnalyzeResponse);
    }
  });
});
