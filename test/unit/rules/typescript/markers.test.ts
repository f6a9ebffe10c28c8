import * as assert from 'node:assert/strict';
import { analyzeFixture, hitKeys, markers, readFixture } from './helpers';

/** Every fixture's `// expect:` markers are exactly the findings: no missing, no extra. */
const FIXTURES = [
  'sdkStdioBad.ts',
  'sdkStdioClean.ts',
  'fastmcpBad.ts',
  'fastmcpClean.ts',
  'httpBad.ts',
  'httpStateless.ts',
  'httpClean.ts',
  'lowLevel.ts',
  'noEntrypoint.ts',
  'exportedServer.ts',
  'helperTools.ts',
  'requireStyle.cjs',
  'clientOnly.ts',
  'classDualMode.ts',
  'noMcp.ts',
];

describe('typescript analyzer: fixture markers', () => {
  for (const name of FIXTURES) {
    it(`${name} reports exactly its markers`, async () => {
      const result = await analyzeFixture(name);
      assert.deepEqual(hitKeys(result), markers(readFixture(name).text));
    });
  }

  it('the clean servers have no markers and no findings', async () => {
    for (const name of ['sdkStdioClean.ts', 'fastmcpClean.ts', 'httpClean.ts']) {
      const result = await analyzeFixture(name);
      assert.equal(markers(result.text).length, 0, name);
      assert.deepEqual(result.hits, [], name);
      assert.ok(result.definitions.length > 0, `${name} still yields definitions`);
    }
  });
});
