import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Severity } from '../../core/model';
import { VERSION } from '../../core/version';
import { getCode } from '../../core/catalogue';
import { RuleEngine, type SeverityOverrides } from '../../core/rules/engine';
import { countBySeverity, formatText, summaryLine, toJsonFindings } from '../../core/rules/report';
import { toSarif } from '../../core/rules/sarif';
import type { CliIo } from '../io';

const USAGE = `Usage: mcp-doctor lint [paths...] [options]

Runs the static MCP rules (MCP1xx-MCP7xx) on server source and project files.
Folders are walked (node_modules, .git, .venv, dist... are skipped); default: the current folder.

Options:
  --format text|json|sarif        output format (default: text)
  --json                          same as --format json
  --severity-threshold LEVEL      exit 1 when a finding is at least LEVEL: error (default) or warning
  --rule ID=LEVEL                 override a rule's severity (error|warning|info|hint|off); repeatable
  --color                         colour the text output
  -h, --help                      show this help

Exit code: 0 no finding at or above the threshold, 1 otherwise, 2 bad usage.
`;

type Format = 'text' | 'json' | 'sarif';

interface LintArgs {
  paths: string[];
  format: Format;
  threshold: 'error' | 'warning';
  overrides: SeverityOverrides;
  color: boolean;
}

const LEVELS = new Set(['error', 'warning', 'info', 'hint', 'off']);

/** Parse arguments; a string is a usage error message. */
function parseArgs(args: string[]): LintArgs | string | 'help' {
  const out: LintArgs = { paths: [], format: 'text', threshold: 'error', overrides: {}, color: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === '-h' || flag === '--help') return 'help';
    else if (flag === '--json') out.format = 'json';
    else if (flag === '--color') out.color = true;
    else if (flag === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json' && v !== 'sarif')
        return `--format must be text, json or sarif (got ${v === undefined ? 'nothing' : `"${v}"`})`;
      out.format = v;
    } else if (flag === '--severity-threshold') {
      const v = value();
      if (v !== 'error' && v !== 'warning')
        return `--severity-threshold must be error or warning (got ${v === undefined ? 'nothing' : `"${v}"`})`;
      out.threshold = v;
    } else if (flag === '--rule') {
      const v = value() ?? '';
      const m = /^([A-Za-z0-9/_-]+)=(\w+)$/.exec(v);
      if (!m || !LEVELS.has(m[2]))
        return `--rule expects ID=LEVEL with LEVEL one of error, warning, info, hint, off (got "${v}")`;
      if (!getCode(m[1])) return `--rule: unknown code "${m[1]}"`;
      out.overrides[getCode(m[1])!.id] = m[2] as Severity | 'off';
    } else if (a.startsWith('-') && a !== '-') return `unknown option "${a}"`;
    else out.paths.push(a);
  }
  return out;
}

/** `mcp-doctor lint`: static rules over files and folders. */
export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (typeof parsed === 'string') {
    io.err(`mcp-doctor lint: ${parsed}\n\n${USAGE}`);
    return 2;
  }
  const paths = (parsed.paths.length ? parsed.paths : ['.']).map((p) => resolve(io.cwd, p));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length) {
    io.err(`mcp-doctor lint: no such file or folder: ${missing.join(', ')}\n`);
    return 2;
  }
  const engine = new RuleEngine({ severity: parsed.overrides, log: (m) => io.err(`mcp-doctor lint: ${m}\n`) });
  const result = await engine.analyzeWorkspace(paths);
  const findings = result.findings;

  if (parsed.format === 'json') {
    const counts = countBySeverity(findings);
    io.out(
      `${JSON.stringify({ version: 1, files: result.stats.files, analyzed: result.stats.analyzed, summary: counts, findings: toJsonFindings(findings) }, null, 2)}\n`,
    );
  } else if (parsed.format === 'sarif') {
    io.out(`${JSON.stringify(toSarif(findings, { baseDir: io.cwd, toolVersion: VERSION }), null, 2)}\n`);
  } else {
    const text = formatText(findings, { baseDir: io.cwd, color: parsed.color });
    io.out(`${text}${text ? '\n' : ''}${summaryLine(findings, result.stats.files)}\n`);
  }
  const failing = findings.some(
    (f) => f.severity === 'error' || (parsed.threshold === 'warning' && f.severity === 'warning'),
  );
  return failing ? 1 : 0;
}
