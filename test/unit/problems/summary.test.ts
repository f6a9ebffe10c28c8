import * as assert from 'node:assert/strict';
import { firstSentence } from '../../../src/core/util/summary';

describe('short forms of messages for a narrow sidebar', () => {
  it('keeps the first sentence, not cut inside code, and cuts long ones at a word', () => {
    assert.equal(
      firstSentence('Command `uvx` not found on PATH (searched /usr/bin). Install it, or use an absolute path.'),
      'Command `uvx` not found on PATH (searched /usr/bin)',
    );
    assert.equal(firstSentence('Run `python3 -m app.main`. Then retry.'), 'Run `python3 -m app.main`');
    assert.equal(firstSentence('Process exited (code 1)'), 'Process exited (code 1)');
    assert.equal(firstSentence('version 1.2.3 is too old; update it'), 'version 1.2.3 is too old');
    assert.equal(
      firstSentence('The server process is running but nothing listens on 127.0.0.1:8000 after 30 s', 40),
      'The server process is running but…',
    );
    assert.equal(firstSentence('line one\nline two'), 'line one');
  });
});
