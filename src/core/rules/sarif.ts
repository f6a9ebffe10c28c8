import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Range, Severity } from '../model';
import { CODES, docsUrl } from '../catalogue';
import { redactString } from '../trace/redact';

/**
 * SARIF 2.1.0 output for `mcp-doctor lint --format sarif` (GitHub code scanning, SARIF viewers).
 * Locations are 1-based lines and columns in UTF-16 code units (the SARIF default), relative to
 * the `SRCROOT` base when the file lies under it.
 */

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifOptions {
  /** Folder that relative artifact URIs are based on (`SRCROOT`); usually the current directory. */
  baseDir?: string;
  toolVersion?: string;
}

/** SARIF level for a finding severity. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

function region(range: Range) {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** A SARIF log (one run) for the findings; plain JSON-serializable data. */
export function toSarif(findings: Finding[], opts: SarifOptions = {}): Record<string, unknown> {
  const base = opts.baseDir;
  const artifact = (file: string) => {
    if (base) {
      const rel = relative(base, file);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel))
        return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
    }
    return { uri: pathToFileURL(file).href };
  };
  const rules: Record<string, unknown>[] = CODES.map((r) => ({
    id: r.id,
    name: r.title
      .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
      .replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: r.title },
    helpUri: docsUrl(r.id),
    help: { text: `See ${docsUrl(r.id)}` },
    defaultConfiguration: { level: sarifLevel(r.defaultSeverity) },
    properties: { category: r.category, sources: r.sources, tags: ['mcp', r.category] },
  }));
  const index = new Map(CODES.map((r, i) => [r.id, i]));
  // Codes outside the catalogue (internal errors) still get a rule entry so viewers can group them.
  for (const f of findings) {
    if (!index.has(f.code)) {
      index.set(f.code, rules.length);
      rules.push({
        id: f.code,
        name: f.code,
        shortDescription: { text: f.code },
        defaultConfiguration: { level: sarifLevel(f.severity) },
      });
    }
  }
  const results = findings.map((f) => {
    const result: Record<string, unknown> = {
      ruleId: f.code,
      ruleIndex: index.get(f.code),
      level: sarifLevel(f.severity),
      // Uploaded to code-scanning services: token shapes quoted from sources are masked.
      message: { text: redactString(f.message) },
      locations: [{ physicalLocation: { artifactLocation: artifact(f.file), region: region(f.range) } }],
    };
    if (f.related?.length) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        message: { text: redactString(r.message) },
        physicalLocation: { artifactLocation: artifact(r.file), region: region(r.range) },
      }));
    }
    if (f.fixes?.length) {
      result.fixes = f.fixes.map((fix) => {
        const byFile = new Map<string, typeof fix.edits>();
        for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
        return {
          description: { text: fix.title },
          artifactChanges: [...byFile].map(([file, edits]) => ({
            artifactLocation: artifact(file),
            replacements: edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
          })),
        };
      });
    }
    if (f.server) result.properties = { server: f.server };
    return result;
  });
  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'MCP Doctor',
        informationUri: 'https://github.com/mcp-doctor/mcp-doctor',
        ...(opts.toolVersion ? { version: opts.toolVersion, semanticVersion: opts.toolVersion } : {}),
        rules,
      },
    },
    columnKind: 'utf16CodeUnits',
    results,
  };
  if (base) run.originalUriBaseIds = { SRCROOT: { uri: pathToFileURL(base.endsWith(sep) ? base : base + sep).href } };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
