import * as assert from 'node:assert/strict';
import { pyprojectRules, runtimePinRules } from '../../../../src/core/rules/project/pythonProjectRules';
import { contextWith, line } from '../helpers';

const PYPROJECT = `[project]
name = "inventory-mcp"
requires-python = ">=3.8"  # too old
dependencies = [
  "mcp[cli]>=1.9",
]
`;

describe('Python project rules (MCP601)', () => {
  it('flags requires-python below 3.10 when the project depends on mcp', () => {
    const hits = pyprojectRules('/p/pyproject.toml', PYPROJECT, contextWith({}));
    assert.equal(hits.length, 1);
    assert.equal(hits[0].ruleId, 'MCP601');
    assert.equal(line(hits[0]), 3);
    const l = PYPROJECT.split('\n')[2];
    assert.equal(l.slice(hits[0].range.start.character, hits[0].range.end.character), '>=3.8');
    assert.equal(hits[0].fixes?.[0].edits[0].newText, '>=3.10');
  });

  it('flags the Poetry python constraint', () => {
    const text = '[tool.poetry.dependencies]\npython = "^3.9"\nfastmcp = "^2.10"\n';
    const hits = pyprojectRules('/p/pyproject.toml', text, contextWith({}));
    assert.equal(hits[0]?.ruleId, 'MCP601');
    assert.equal(line(hits[0]), 2);
  });

  it('does not flag 3.10+, or projects without an MCP framework', () => {
    assert.deepEqual(pyprojectRules('/p/pyproject.toml', PYPROJECT.replace('>=3.8', '>=3.10'), contextWith({})), []);
    assert.deepEqual(
      pyprojectRules('/p/pyproject.toml', PYPROJECT.replace('"mcp[cli]>=1.9"', '"requests"'), contextWith({})),
      [],
    );
    // requires-python outside [project] is not the project's.
    assert.deepEqual(
      pyprojectRules('/p/pyproject.toml', '[tool.other]\nrequires-python = ">=3.6"\n', contextWith({ mcp: '1.9.4' })),
      [],
    );
  });

  it('flags .python-version / runtime.txt and .nvmrc pins', () => {
    assert.equal(
      runtimePinRules('/p/.python-version', '3.9.18\n', contextWith({ mcp: '1.9.4' }), 'python')[0]?.ruleId,
      'MCP601',
    );
    assert.equal(
      runtimePinRules('/p/runtime.txt', 'python-3.8.10\n', contextWith({ fastmcp: '2.10.0' }), 'python')[0]?.range.start
        .character,
      7,
    );
    assert.deepEqual(runtimePinRules('/p/.python-version', '3.12\n', contextWith({ mcp: '1.9.4' }), 'python'), []);
    assert.deepEqual(runtimePinRules('/p/.python-version', '3.9\n', contextWith({}), 'python'), []);
    assert.equal(
      runtimePinRules('/p/.nvmrc', 'v16\n', contextWith({ '@modelcontextprotocol/sdk': '1.20.0' }), 'node')[0]?.ruleId,
      'MCP601',
    );
    assert.deepEqual(
      runtimePinRules('/p/.nvmrc', '20\n', contextWith({ '@modelcontextprotocol/sdk': '1.20.0' }), 'node'),
      [],
    );
  });
});
