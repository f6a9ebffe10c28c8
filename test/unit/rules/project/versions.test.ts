import * as assert from 'node:assert/strict';
import {
  compareVersions,
  isBelow,
  lowerBound,
  majorOf,
  normalizePyName,
  parseRequirement,
  parseVersion,
  pyRangeAdmitsAtLeast,
  rangeAdmitsAtLeast,
} from '../../../../src/core/rules/project/versions';

describe('version helpers', () => {
  it('pyRangeAdmitsAtLeast: whether a PEP 440 specifier lets a fresh install reach a major', () => {
    for (const spec of ['>=1.27.0', '', '>=1.0.0,!=1.5', '<=2.0', '~=2.0', '==2.3.0'])
      assert.equal(pyRangeAdmitsAtLeast(spec, '2.0.0'), true, spec);
    for (const spec of ['>=1.2,<2', '>=1.2,<2.0', '~=1.9', '~=1.9.0', '==1.*', '<1.30', '>=1.8.0,<2.0.0', '==1.27.0'])
      assert.equal(pyRangeAdmitsAtLeast(spec, '2.0.0'), false, spec);
    assert.equal(pyRangeAdmitsAtLeast('^1.2', '2.0.0'), undefined);
  });
  it('rangeAdmitsAtLeast: what an npm range admits, not its lowest version', () => {
    assert.equal(rangeAdmitsAtLeast('^0.6.0', '1.1.0'), false);
    assert.equal(rangeAdmitsAtLeast('~1.0.3', '1.1.0'), false);
    assert.equal(rangeAdmitsAtLeast('1.0.x', '1.1.0'), false);
    assert.equal(rangeAdmitsAtLeast('1.0.4', '1.1.0'), false);
    assert.equal(rangeAdmitsAtLeast('>=0.5 <1.1.0', '1.1.0'), false);
    assert.equal(rangeAdmitsAtLeast('<=1.1.0', '1.1.0'), true);
    assert.equal(rangeAdmitsAtLeast('^1.0.0', '1.1.0'), true);
    assert.equal(rangeAdmitsAtLeast('>=0.6', '1.1.0'), true);
    assert.equal(rangeAdmitsAtLeast('*', '1.1.0'), true);
    assert.equal(rangeAdmitsAtLeast('^0.6.0 || ^1.2.0', '1.1.0'), true);
    assert.equal(rangeAdmitsAtLeast('github:owner/repo', '1.1.0'), undefined);
  });

  it('parses and compares versions', () => {
    assert.deepEqual(parseVersion('3.10'), [3, 10, 0]);
    assert.deepEqual(parseVersion('v20.1.2'), [20, 1, 2]);
    assert.equal(parseVersion('latest'), undefined);
    assert.ok(compareVersions([3, 9, 0], [3, 10, 0]) < 0);
    assert.equal(isBelow('3.9', '3.10'), true);
    assert.equal(isBelow('3.10', '3.10'), false);
    assert.equal(isBelow(undefined, '3.10'), false);
  });

  it('finds the lower bound of npm and PEP 440 ranges', () => {
    const cases: [string, string | undefined][] = [
      ['^1.2.3', '1.2.3'],
      ['>=3.8,<4', '3.8'],
      ['>= 3.8', '3.8'],
      ['~=3.10', '3.10'],
      ['==1.9.*', '1.9'],
      ['1.17.5', '1.17.5'],
      ['16.x || >=18', '16'],
      ['<4', undefined],
      ['*', undefined],
      ['^3.25 || ^4.0', '3.25'],
    ];
    for (const [range, expected] of cases) assert.equal(lowerBound(range), expected, range);
    assert.equal(majorOf('^4.1.5'), 4);
  });

  it('parses requirements and normalises names', () => {
    assert.deepEqual(parseRequirement('mcp[cli]>=1.9; python_version>"3.9"'), { name: 'mcp', spec: '>=1.9' });
    assert.deepEqual(parseRequirement('Fast_MCP == 2.0  # pinned'), { name: 'fast-mcp', spec: '== 2.0' });
    assert.equal(parseRequirement('-r base.txt'), undefined);
    assert.equal(parseRequirement('git+https://x/y.git'), undefined);
    assert.equal(normalizePyName('Pydantic_Core'), 'pydantic-core');
  });
});
