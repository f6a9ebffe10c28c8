/**
 * Finds where a tool is defined in server source, by text: good enough to jump from a trace
 * entry to the handler without parsing. Recognizes FastMCP / MCP Python SDK decorators,
 * TypeScript SDK `registerTool`/`tool`, punkpeye FastMCP `addTool`, and `name: "..."` objects.
 */

export interface ToolDefinitionMatch {
  /** 0-based line and character of the tool name (or `def`). */
  line: number;
  character: number;
  /** Higher is more certain (a decorated `def` or `registerTool("x")` beats a bare `name:`). */
  score: number;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The best definition of `tool` in `text`, or undefined. `language` is `python` or `typescript`/`javascript`. */
export function findToolDefinition(
  text: string,
  tool: string,
  language: 'python' | 'typescript' | 'javascript',
): ToolDefinitionMatch | undefined {
  if (!tool || !text.includes(tool)) return undefined;
  const t = escape(tool);
  const q = `["'\`]${t}["'\`]`;
  const patterns: [RegExp, number][] =
    language === 'python'
      ? [
          [new RegExp(`@[\\w.]*tool\\s*\\(\\s*(?:name\\s*=\\s*)?${q}`), 10],
          [new RegExp(`^\\s*(?:async\\s+)?def\\s+${t}\\s*\\(`), 6],
          [new RegExp(`\\bname\\s*=\\s*${q}`), 4],
          [new RegExp(`${q}`), 1],
        ]
      : [
          [new RegExp(`\\b(?:registerTool|addTool|tool)\\s*\\(\\s*${q}`), 10],
          [new RegExp(`\\bname\\s*:\\s*${q}`), 6],
          [new RegExp(`${q}`), 1],
        ];
  const lines = text.split(/\r?\n/);
  let best: ToolDefinitionMatch | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.includes(tool)) continue;
    for (const [re, base] of patterns) {
      const m = re.exec(line);
      if (!m) continue;
      let score = base;
      // A plain `def tool(` right under a `@...tool` decorator is the FastMCP idiom.
      if (language === 'python' && base === 6) {
        for (let k = i - 1; k >= Math.max(0, i - 4); k--) if (/^\s*@[\w.]*tool\b/.test(lines[k])) score = 9;
      }
      const character = Math.max(0, line.indexOf(tool, m.index));
      if (!best || score > best.score) best = { line: i, character, score };
      break;
    }
  }
  return best && best.score > 1 ? best : undefined;
}
