import type { Definition } from '../rules/types';
import type { HandlerSpan } from './dap';

/** Where "Debug tool" stops: the first statement of the tool's handler, from the source analysis. */
export interface ToolEntry {
  tool: string;
  file: string;
  /** 0-based line of the handler's first statement. */
  line: number;
  /** 0-based first and last line of the handler (a breakpoint of the user's inside it is kept). */
  startLine: number;
  endLine: number;
}

/** The entry of a tool defined in the analyzed definitions (by the name clients see). */
export function toolEntry(definitions: readonly Definition[], toolName: string): ToolEntry | undefined {
  const def = definitions.find((d) => d.kind === 'tool' && d.name === toolName && d.handler);
  if (!def?.handler) return undefined;
  return {
    tool: def.name,
    file: def.file,
    line: def.handler.firstStatement.start.line,
    startLine: def.handler.range.start.line,
    endLine: def.handler.range.end.line,
  };
}

/** The handlers of every tool with one, for telling which tool a paused frame is in. */
export function handlerSpans(definitions: readonly Definition[]): HandlerSpan[] {
  return definitions.flatMap((d) =>
    d.kind === 'tool' && d.handler && !d.dynamicName
      ? [{ tool: d.name, file: d.file, startLine: d.handler.range.start.line, endLine: d.handler.range.end.line }]
      : [],
  );
}
