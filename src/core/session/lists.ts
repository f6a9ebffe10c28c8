import { runtimeFinding, type Keyed, type Subject } from './diagnosis';
import { listFailed } from './runDiagnosis';
import type { RequestOutcome } from './connectionTypes';
import { lintToolList } from './toolLint';
import type { PromptInfo, ResourceInfo, ResourceTemplateInfo, ToolInfo } from './types';

export type ListKind = 'tools' | 'resources' | 'prompts';

/** What the lists need of a connection. */
export interface ListSource {
  request(method: string, params: unknown): Promise<RequestOutcome>;
  capabilities(): Record<string, unknown>;
}

/** Pages followed at most per list (a server whose cursor never ends must not hang the session). */
const MAX_PAGES = 100;

/**
 * The tools, resources, templates and prompts of one start, listed with paging and re-listed on
 * `list_changed`. Failures and tool schemas that clients reject become findings.
 */
export class ServerLists {
  tools: ToolInfo[] = [];
  resources: ResourceInfo[] = [];
  templates: ResourceTemplateInfo[] = [];
  prompts: PromptInfo[] = [];

  constructor(
    private readonly subject: Subject,
    private readonly source: ListSource,
    private readonly report: {
      finding(k: Keyed): void;
      /** Replaces the MCP710 findings of the last `tools/list`. */
      toolProblems(entries: Keyed[]): void;
      /** Schema linting runs off the start path; the session waits for it in `flushFindings`. */
      defer(work: () => void): void;
      /** False once the list request's failure is explained by something else (the process is gone). */
      stillConnected(): boolean;
    },
  ) {}

  /** Lists what the server declares; resolves when every list has settled. */
  async refresh(which: 'all' | ListKind): Promise<void> {
    const caps = this.source.capabilities();
    const jobs: Promise<void>[] = [];
    if ((which === 'all' || which === 'tools') && caps.tools)
      jobs.push(
        this.listAll('tools/list', 'tools').then((items) => {
          if (!items) return;
          this.tools = items.map(toToolInfo);
          this.report.defer(() => this.lintTools(items));
        }),
      );
    if ((which === 'all' || which === 'resources') && caps.resources) {
      jobs.push(
        this.listAll('resources/list', 'resources').then((items) => {
          if (items) this.resources = items as unknown as ResourceInfo[];
        }),
      );
      jobs.push(
        this.listAll('resources/templates/list', 'resourceTemplates').then((items) => {
          if (items) this.templates = items as unknown as ResourceTemplateInfo[];
        }),
      );
    }
    if ((which === 'all' || which === 'prompts') && caps.prompts)
      jobs.push(
        this.listAll('prompts/list', 'prompts').then((items) => {
          if (items) this.prompts = items as unknown as PromptInfo[];
        }),
      );
    await Promise.all(jobs);
  }

  /** Follows `nextCursor`; undefined when the first page failed. */
  private async listAll(method: string, key: string): Promise<Record<string, unknown>[] | undefined> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const r = await this.source.request(method, cursor ? { cursor } : {});
      if (!r.ok) {
        if (this.report.stillConnected()) this.report.finding(listFailed(this.subject, method, r.error?.message ?? ''));
        return page ? items : undefined;
      }
      const result = r.result as Record<string, unknown>;
      const list = result[key];
      if (Array.isArray(list))
        for (const x of list) if (x && typeof x === 'object') items.push(x as Record<string, unknown>);
      cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return items;
  }

  private lintTools(items: readonly Record<string, unknown>[]): void {
    this.report.toolProblems(
      lintToolList(items).map((p) => [
        `MCP710:${p.index}:${p.tool}`,
        runtimeFinding(
          this.subject,
          'MCP710',
          p.rejectsList ? 'error' : 'warning',
          `Tool \`${p.tool}\` from \`tools/list\`: ${p.problems.join('; ')}.${
            p.rejectsList
              ? ` Clients built on the MCP SDKs validate \`tools/list\` as a whole, so this one tool makes them reject the entire list: all ${items.length} tools disappear, not just this one.`
              : ''
          }`,
          undefined,
          { tool: p.tool, index: p.index, problems: p.problems, rejectsList: p.rejectsList },
        ),
      ]),
    );
  }
}

function toToolInfo(t: Record<string, unknown>): ToolInfo {
  return {
    name: String(t.name ?? ''),
    title: typeof t.title === 'string' ? t.title : undefined,
    description: typeof t.description === 'string' ? t.description : undefined,
    inputSchema: (t.inputSchema && typeof t.inputSchema === 'object' ? t.inputSchema : {}) as Record<string, unknown>,
    outputSchema:
      t.outputSchema && typeof t.outputSchema === 'object' ? (t.outputSchema as Record<string, unknown>) : undefined,
    annotations:
      t.annotations && typeof t.annotations === 'object' ? (t.annotations as Record<string, unknown>) : undefined,
  };
}
