/**
 * TypeScript/JavaScript analyzer of the rules engine (syntax-only, TypeScript compiler API).
 *
 * Pipeline per file: a regex pre-filter (no MCP import → empty analysis, no parse), one
 * `ts.createSourceFile`, one walk collecting facts (`collect.ts`: imports/require aliases, calls
 * and declarations; `servers.ts`: server objects and transports; `definitions.ts`:
 * tool/resource/prompt definitions in all four API styles; the shape in `facts.ts`), then the rule
 * groups in `rules/` over those facts. `typescript` is loaded lazily on the first MCP file.
 *
 * Rules: MCP102 103 104 106 108 109 110 111 112 (connection), 203 204 205 207 208
 * (serialization), 301 302 401 402 403 404 (behavior), 501 502 503 504 (security), 603 604 606
 * (config), 701 702 703 705 706 709 (protocol).
 */
import type { FileAnalysis, LanguageAnalyzer, ProjectContext } from '../types';
import { RuleContext } from './context';
import { isSdkPackage } from '../sdkPackages';
import { collectFacts } from './collect';
import { serverSummaries } from './servers';
import { behaviorRules } from './rules/behavior';
import { configRules } from './rules/config';
import { connectionRules } from './rules/connection';
import { protocolRules } from './rules/protocol';
import { securityRules } from './rules/security';
import { serializationRules } from './rules/serialization';
import { helperStdoutHits, helperVia, tsModuleFacts } from './module';
import { loggerHits } from './rules/connection/loggers';
import { loadTypeScript } from './tsLoader';
import { errorBuilderResults } from './rules/protocol';

const EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'] as const;

/** Cheap pre-filter: a file that never names an MCP framework is not parsed at all. */
const MCP_MARKER = /@modelcontextprotocol\/|['"]fastmcp['"]/;

const RULE_GROUPS: { name: string; run: (ctx: RuleContext) => void }[] = [
  { name: 'connection', run: connectionRules },
  { name: 'serialization', run: serializationRules },
  { name: 'behavior', run: behaviorRules },
  { name: 'security', run: securityRules },
  { name: 'config', run: configRules },
  { name: 'protocol', run: protocolRules },
];

/**
 * Analyzes one TypeScript/JavaScript file: one `createSourceFile`, one walk collecting facts
 * (imports, servers, transports, tool/resource/prompt definitions), then every rule over the facts.
 * Never throws: a rule that fails is skipped, a file that cannot be parsed yields an empty analysis.
 */
function analyzeTypeScript(file: string, text: string, project: ProjectContext): FileAnalysis {
  const empty: FileAnalysis = { file, language: 'typescript', servers: [], definitions: [], hits: [] };
  if (!MCP_MARKER.test(text) && !isSdkPackage(project.packageName)) return empty;
  let ctx: RuleContext;
  try {
    const ts = loadTypeScript();
    // No JSDoc parsing (no rule reads JSDoc), and parents set by `setParents` below: together
    // about a fifth cheaper than `setParentNodes: true`, which also walks JSDoc.
    const sf = ts.createSourceFile(
      file,
      text,
      { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
      false,
      scriptKind(file),
    );
    setParents(ts, sf);
    const facts = collectFacts(
      sf,
      file,
      isSdkPackage(project.packageName) ? { name: project.packageName!, root: project.root } : undefined,
    );
    if (!facts.framework) return empty;
    ctx = new RuleContext(facts, project);
  } catch {
    return empty;
  }
  for (const group of RULE_GROUPS) {
    const before = ctx.hits.length;
    try {
      group.run(ctx);
    } catch {
      // A bug in one rule group must not hide the others' findings; drop its partial output.
      ctx.hits.length = before;
    }
  }
  return {
    file,
    language: 'typescript',
    framework: ctx.facts.framework,
    servers: serverSummaries(ctx.facts),
    definitions: ctx.facts.defs.map((d) => d.def),
    hits: dedupe(ctx.hits),
    module: moduleFacts(ctx),
  };
}

function moduleFacts(ctx: RuleContext): FileAnalysis['module'] {
  try {
    return tsModuleFacts(ctx);
  } catch {
    return undefined;
  }
}

/**
 * A file without MCP imports that a stdio server imports (a logging helper, shared utilities):
 * only its stdout writes are checked, and its imports feed the project model.
 */
function analyzeTypeScriptHelper(file: string, text: string, project: ProjectContext): FileAnalysis {
  const empty: FileAnalysis = { file, language: 'typescript', servers: [], definitions: [], hits: [] };
  if (text.length > 2_000_000) return empty;
  try {
    const ts = loadTypeScript();
    const sf = ts.createSourceFile(
      file,
      text,
      { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
      false,
      scriptKind(file),
    );
    setParents(ts, sf);
    const facts = collectFacts(sf, file);
    const ctx = new RuleContext(facts, project);
    // Loggers built here (pino, winston, dotenv) write whenever the importing stdio server uses them.
    loggerHits(ctx, () => ({ skip: false, downgrade: true, note: '' }));
    // An error-result builder here (`errorResult(message)` without isError) serves the tools that import it.
    errorBuilderResults(ctx);
    return {
      ...empty,
      hits: dedupe([...helperStdoutHits(facts), ...ctx.hits]),
      module: { ...tsModuleFacts(ctx), via: helperVia(facts) },
    };
  } catch {
    return empty;
  }
}

/** Sets `parent` on every node reachable with `forEachChild` (what the rules walk), iteratively. */
function setParents(ts: typeof import('typescript'), root: import('typescript').Node): void {
  const stack: import('typescript').Node[] = [root];
  let parent = root;
  const link = (child: import('typescript').Node): undefined => {
    (child as { parent: import('typescript').Node }).parent = parent;
    stack.push(child);
    return undefined;
  };
  while (stack.length) {
    parent = stack.pop()!;
    ts.forEachChild(parent, link);
  }
}

function scriptKind(file: string) {
  const ts = loadTypeScript();
  const ext = file.slice(file.lastIndexOf('.')).toLowerCase();
  switch (ext) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

/** Same rule at the same start position reported twice (e.g. two detection paths): keep the first. */
function dedupe(hits: FileAnalysis['hits']): FileAnalysis['hits'] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.ruleId}:${h.range.start.line}:${h.range.start.character}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Creates the TypeScript/JavaScript analyzer (syntax-only, TypeScript compiler API, loaded lazily). */
export function createTypeScriptAnalyzer(): LanguageAnalyzer {
  return {
    language: 'typescript',
    extensions: EXTENSIONS,
    async analyze(file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
      return analyzeTypeScript(file, text, project);
    },
    async analyzeHelper(file: string, text: string, project: ProjectContext): Promise<FileAnalysis> {
      return analyzeTypeScriptHelper(file, text, project);
    },
  };
}
