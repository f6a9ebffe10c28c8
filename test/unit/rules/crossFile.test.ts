import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withProjectModel } from '../../../src/core/rules/crossFile';
import { ProjectModel } from '../../../src/core/rules/projectModel';
import type { ModuleFacts, RuleHit } from '../../../src/core/rules/types';

describe('cross-file evidence', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-doctor-crossfile-'));
    for (const f of ['helpers.py', 'zeta_server.py', 'alpha_server.py']) fs.writeFileSync(path.join(root, f), '\n');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const facts = (imports: ModuleFacts['imports'], starts: ModuleFacts['starts']): ModuleFacts => ({
    imports,
    starts,
    mainGuard: true,
  });

  /** The Evidence sentence of a downgraded MCP101 in helpers.py, with importers analyzed in `order`. */
  function evidence(order: string[]): string {
    const model = new ProjectModel();
    const helper = path.join(root, 'helpers.py');
    model.set(helper, root, 'python', facts([], []));
    for (const f of order)
      model.set(path.join(root, f), root, 'python', facts([{ from: 'helpers', names: [] }], ['stdio']));
    const hit: RuleHit = {
      ruleId: 'MCP101',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } },
      message: 'print() writes to stdout.',
      downgrade: true,
    };
    const out = withProjectModel(model, helper, { root, language: 'python' }, hit);
    return /Evidence: (.*)$/.exec(out!.message)![1]!;
  }

  it('names the same importer whichever file a worker finished first (sorted)', () => {
    const a = evidence(['zeta_server.py', 'alpha_server.py']);
    const b = evidence(['alpha_server.py', 'zeta_server.py']);
    assert.equal(a, b);
    assert.equal(a, 'alpha_server.py imports this module and starts the stdio transport.');
  });
});
