import * as assert from 'node:assert/strict';
import { displayEnv } from '../../../src/core/util/envDisplay';

describe('environment display (terminal header, launch consent)', () => {
  it('shows values that cannot be secrets and masks the rest', () => {
    assert.deepEqual(
      displayEnv({
        PYTHONUNBUFFERED: '1',
        NODE_ENV: 'production',
        LOG_LEVEL: 'DEBUG',
        PYTHONIOENCODING: 'utf-8',
        FASTMCP_DEBUG: 'true',
        MEMORY_FILE_PATH: '/home/dana/.memory.jsonl',
        PLAIN: 'visible-value',
        API_KEY: '1234',
        GITHUB_TOKEN: 'true',
      }),
      [
        'PYTHONUNBUFFERED=1',
        'NODE_ENV=production',
        'LOG_LEVEL=DEBUG',
        'PYTHONIOENCODING=utf-8',
        'FASTMCP_DEBUG=true',
        'MEMORY_FILE_PATH=***',
        'PLAIN=***',
        'API_KEY=***',
        'GITHUB_TOKEN=***',
      ],
    );
  });

  it('masks a plain-looking value the user typed as a secret (a prompted input)', () => {
    assert.deepEqual(displayEnv({ PIN: '4711', PORT: '8000' }, ['4711']), ['PIN=***', 'PORT=8000']);
  });
});
