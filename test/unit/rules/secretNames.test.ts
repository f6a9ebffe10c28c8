import * as assert from 'node:assert/strict';
import { isSecretName } from '../../../src/core/rules/secretNames';

describe('isSecretName (credential-bearing names for MCP504)', () => {
  it('recognises keys, tokens, passwords and connection strings in any case style', () => {
    for (const name of [
      'api_key',
      'apiKey',
      'GENIUS_TOKEN',
      'dbPassword',
      'DATABASE_URL',
      'connectionString',
      'client_secret',
      'credentials',
      'AWS_SECRET_ACCESS_KEY',
      'privateKey',
      'dsn',
    ])
      assert.equal(isSecretName(name), true, name);
  });

  it('leaves token counts, paging tokens and tokenizer output alone', () => {
    for (const name of [
      'max_tokens',
      'maxTokens',
      'tokens',
      'nextPageToken',
      'page_token',
      'cursor',
      'keyword',
      'author',
      'monkey',
    ])
      assert.equal(isSecretName(name), false, name);
  });
});
