import type { ProjectContext, RuleHit } from '../types';
import { FLOORS, nodeMcpPackage, pythonMcpPackage } from './facts';
import { LineIndex } from './text';
import { isBelow, lowerBound, parseRequirement } from './versions';

/**
 * MCP601 on Python project metadata (`pyproject.toml` `requires-python` or Poetry's `python`
 * dependency) and on runtime pin files (`.python-version`, `runtime.txt`, `.nvmrc`).
 */
export function pyprojectRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const lines = new LineIndex(text);
  // The framework may be declared in this very file even when the context came from elsewhere.
  let pkg = pythonMcpPackage(ctx);
  let table = '';
  let target: { line: number; start: number; end: number; value: string; key: string } | undefined;
  for (let n = 0; n < lines.lineCount; n++) {
    const line = lines.line(n);
    // `[table]` / `[[table]]`: one greedy class, the name trimmed in code (a lazy class between
    // two `\s*` was quadratic on a line of spaces).
    const header = /^\s*\[\[?([^\]]*)\]/.exec(line);
    if (header && header[1].trim()) {
      table = header[1].trim();
      continue;
    }
    const key = table === 'project' ? 'requires-python' : table === 'tool.poetry.dependencies' ? 'python' : undefined;
    if (key) {
      const m = new RegExp(`^\\s*["']?${key.replace('-', '\\-')}["']?\\s*=\\s*(["'])(.*?)\\1`).exec(line);
      if (m) {
        const start = m.index + m[0].length - m[2].length - 1;
        target = { line: n, start, end: start + m[2].length, value: m[2], key };
      }
    }
    if (!pkg) {
      const dep = /["']([A-Za-z0-9._-][^"']*)["']/.exec(line);
      const req = dep ? parseRequirement(dep[1]) : undefined;
      if (req && (req.name === 'mcp' || req.name === 'fastmcp') && /dependencies|project/.test(table)) pkg = req.name;
      const poetryDep = /^\s*(mcp|fastmcp)\s*=/.exec(line);
      if (poetryDep && table.startsWith('tool.poetry')) pkg = poetryDep[1] as 'mcp' | 'fastmcp';
    }
  }
  if (!target || !pkg) return [];
  const min = lowerBound(target.value);
  if (!min || !isBelow(min, FLOORS.python)) return [];
  const range = {
    start: { line: target.line, character: target.start },
    end: { line: target.line, character: target.end },
  };
  return [
    {
      ruleId: 'MCP601',
      range,
      message: `${target.key === 'python' ? 'The Poetry python constraint' : 'requires-python'} "${target.value}" allows Python ${min}, but ${pkg} needs Python ${FLOORS.python} or newer: installs fail to resolve ("requires a different Python") or the server crashes at import ("unsupported operand type(s) for |"). Set it to ">=${FLOORS.python}".`,
      fixes: [
        {
          title: `Require Python >=${FLOORS.python}`,
          edits: [{ file, range, newText: `>=${FLOORS.python}` }],
          preferred: true,
        },
      ],
      data: { runtime: 'python', declared: target.value, floor: FLOORS.python, package: pkg },
    },
  ];
}

/** MCP601 on `.python-version`, `runtime.txt` (`python-3.9.1`) and `.nvmrc`. */
export function runtimePinRules(file: string, text: string, ctx: ProjectContext, kind: 'python' | 'node'): RuleHit[] {
  const lines = new LineIndex(text);
  const first = lines.line(0);
  const m = /(\d+(?:\.\d+){0,2})/.exec(first);
  if (!m) return [];
  const start = m.index;
  const range = { start: { line: 0, character: start }, end: { line: 0, character: start + m[1].length } };
  if (kind === 'python') {
    const pkg = pythonMcpPackage(ctx);
    if (!pkg || !isBelow(m[1], FLOORS.python) || !m[1].startsWith('3')) return [];
    return [
      {
        ruleId: 'MCP601',
        range,
        message: `This file pins Python ${m[1]}, but ${pkg} needs Python ${FLOORS.python} or newer; the server will not install or will crash at import. Pin 3.12 (or at least ${FLOORS.python}).`,
        fixes: [{ title: 'Pin Python 3.12', edits: [{ file, range, newText: '3.12' }], preferred: true }],
        data: { runtime: 'python', declared: m[1], floor: FLOORS.python, package: pkg },
      },
    ];
  }
  const node = nodeMcpPackage(ctx);
  if (!node || !isBelow(m[1], node.floor)) return [];
  return [
    {
      ruleId: 'MCP601',
      range,
      message: `This file pins Node ${m[1]}, but ${node.evidence} declares engines.node ">=${node.floor}"; below it the SDK is unsupported and the server can fail at startup. Pin ${node.floor === '20' ? '22' : '20'}.`,
      ...(node.certainty === 'proven' ? {} : { severity: 'warning' as const }),
      fixes: [
        {
          title: `Pin Node ${node.floor === '20' ? '22' : '20'}`,
          edits: [{ file, range, newText: node.floor === '20' ? '22' : '20' }],
          preferred: true,
        },
      ],
      data: { runtime: 'node', declared: m[1], floor: node.floor, package: node.name },
    },
  ];
}
