import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildProjectContext,
  clearProjectCache,
  findProjectRoot,
  invalidateProject,
} from '../../../src/core/rules/project';
import { PROJECT_FIXTURES } from './helpers';

const fixture = (name: string) => path.join(PROJECT_FIXTURES, name);

describe('project context', () => {
  beforeEach(() => clearProjectCache());

  it('reads installed npm versions from package-lock.json and notices two zod copies', () => {
    const ctx = buildProjectContext(fixture('node-bad'));
    assert.equal(ctx.packages.get('@modelcontextprotocol/sdk'), '1.17.5');
    assert.equal(ctx.packageSources.get('@modelcontextprotocol/sdk'), 'package-lock.json');
    assert.equal(ctx.packages.get('zod'), '4.1.5');
    assert.deepEqual(ctx.allVersions?.get('zod'), ['3.25.76', '4.1.5']);
    assert.equal(ctx.declared?.get('zod'), '^4.1.5');
    assert.equal(ctx.runtime.node, '>=16');
    assert.equal(ctx.moduleType, 'module');
    assert.equal(ctx.deployment.dockerfile, path.join(fixture('node-bad'), 'Dockerfile'));
  });

  it('reads pnpm-lock.yaml', () => {
    const ctx = buildProjectContext(fixture('pnpm'));
    assert.equal(ctx.packages.get('@modelcontextprotocol/sdk'), '1.20.2');
    assert.equal(ctx.packageSources.get('zod'), 'pnpm-lock.yaml');
    assert.deepEqual(ctx.allVersions?.get('zod'), ['3.25.76', '4.1.5']);
  });

  it('reads uv.lock, pyproject.toml, requirements files and deployment hints', () => {
    const ctx = buildProjectContext(fixture('py-bad'));
    assert.equal(ctx.packages.get('mcp'), '1.9.4');
    assert.equal(ctx.packageSources.get('mcp'), 'uv.lock');
    assert.equal(ctx.declared?.get('mcp'), '>=1.9');
    assert.equal(ctx.packages.get('pytest'), '8.3.3');
    assert.equal(ctx.packageSources.get('pytest'), 'requirements-dev.txt');
    assert.equal(ctx.packages.get('ruff'), '>=0.6');
    assert.equal(ctx.runtime.python, '>=3.8');
    assert.ok(ctx.deployment.dockerfile?.endsWith('Dockerfile'));
    assert.ok(ctx.deployment.compose?.endsWith('docker-compose.yml'));
    assert.ok(ctx.deployment.procfile?.endsWith('Procfile'));
  });

  it('reads poetry.lock and Poetry dependencies with normalised names', () => {
    const ctx = buildProjectContext(fixture('poetry'));
    assert.equal(ctx.packages.get('fastmcp'), '2.10.6');
    assert.equal(ctx.packages.get('pydantic-core'), '2.33.2');
    assert.equal(ctx.runtime.python, '^3.9');
  });

  it('pins from requirements.txt count as installed versions', () => {
    const ctx = buildProjectContext(fixture('py-good'));
    assert.equal(ctx.packages.get('fastmcp'), '2.12.4');
    assert.equal(ctx.packageSources.get('fastmcp'), 'requirements.txt');
    assert.equal(ctx.runtime.python, '>=3.10');
  });

  it('finds the project root of a nested file', () => {
    assert.equal(findProjectRoot(path.join(fixture('py-bad'), '.vscode', 'mcp.json')), fixture('py-bad'));
    assert.equal(findProjectRoot(path.join(fixture('node-good'), 'src', 'deep', 'index.ts')), fixture('node-good'));
  });

  it('caches per root and rebuilds when a project file changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-project-'));
    try {
      const pkg = path.join(dir, 'package.json');
      fs.writeFileSync(pkg, JSON.stringify({ dependencies: { zod: '^3.25.0' } }));
      const first = buildProjectContext(dir);
      assert.equal(buildProjectContext(dir), first, 'same object while nothing changed');
      fs.writeFileSync(pkg, JSON.stringify({ dependencies: { zod: '^4.0.0', '@modelcontextprotocol/sdk': '1.20.0' } }));
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(pkg, later, later);
      assert.equal(buildProjectContext(dir), first, 'within a second the verified context is trusted');
      invalidateProject(dir);
      const second = buildProjectContext(dir);
      assert.notEqual(second, first);
      assert.equal(second.packages.get('zod'), '^4.0.0');
      assert.notEqual(second.stamp, first.stamp);
      fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:22\n');
      invalidateProject();
      assert.ok(buildProjectContext(dir).deployment.dockerfile, 'a new Dockerfile is noticed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never throws on missing folders or malformed files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpd-bad-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), '{ not json');
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[project\nname = ');
      fs.writeFileSync(path.join(dir, 'uv.lock'), '[[package]]\nname = ');
      fs.writeFileSync(path.join(dir, 'package-lock.json'), 'null');
      const ctx = buildProjectContext(dir);
      assert.equal(ctx.packages.size, 0);
      const missing = buildProjectContext(path.join(dir, 'does-not-exist'));
      assert.equal(missing.packages.size, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
