/** Messages between the rules engine and its analyzer worker threads (structured-cloned). */
import type { FileAnalysis, ProjectContext } from '../types';

/** Languages the worker has analyzers for (the built-in ones). */
export type WorkerLanguage = 'python' | 'typescript';

/** Main thread → worker: analyze one file. */
export interface AnalyzeRequest {
  id: number;
  language: WorkerLanguage;
  file: string;
  text: string;
  project: ProjectContext;
}

/** Worker → main thread: the analysis, or what the analyzer threw (becomes an internal finding). */
export type AnalyzeResponse =
  | { id: number; ok: true; analysis: FileAnalysis }
  | { id: number; ok: false; error: { message: string; stack?: string }; loadFailed?: boolean };
