import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** Entry point VS Code calls inside the extension host: runs every *.test.js next to this file. */
export function run(): Promise<void> {
  const grep = process.env.MCP_DOCTOR_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec', ...(grep ? { grep } : {}) });
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats!;
      // The plain closing line CI reads.
      console.log(`integration: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      // A grep that matches nothing would pass silently (a renamed suite, a typo, regex characters).
      else if (s.tests === 0) reject(new Error(`no test matches MCP_DOCTOR_TEST_GREP=${grep ?? ''}`));
      else resolve();
    });
  });
}
