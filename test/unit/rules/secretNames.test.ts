import * as assert from 'node:assert/strict';
import {
  CONNECTION_STRING,
  credentialInUrl,
  isConnectionName,
  isQueryKeyName,
  isSecretName,
} from '../../../src/core/rules/secretNames';

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

describe('credentials whose error text can carry them (MCP504 on a local receiver)', () => {
  it('names that hold a connection string, not those that hold a header key', () => {
    for (const name of ['DATABASE_URL', 'dbUrl', 'REDIS_URL', 'MONGO_URI', 'SENTRY_DSN', 'connectionString'])
      assert.equal(isConnectionName(name), true, name);
    for (const name of ['OPENAI_API_KEY', 'GITHUB_TOKEN', 'BASE_URL', 'clientSecret'])
      assert.equal(isConnectionName(name), false, name);
  });

  it('a URL with user:pass@ or a key in its query; not one with only public parameters', () => {
    assert.equal(credentialInUrl('"postgres://app:hunter2@db.internal:5432/prod"'), CONNECTION_STRING);
    assert.equal(
      credentialInUrl('`https://maps.example.com/geo?address=${a}&key=${KEY}`'),
      'a URL with `key` in its query',
    );
    assert.equal(credentialInUrl('f"https://api.example.com/v1?api_key={k}"'), 'a URL with `api_key` in its query');
    assert.equal(credentialInUrl('"https://api.example.com/v1?q=rain&page_token=2"'), undefined);
    assert.equal(credentialInUrl('"https://api.example.com/v1/users/me"'), undefined);
    assert.equal(isQueryKeyName('appid'), true);
    assert.equal(isQueryKeyName('region'), false);
  });
});
