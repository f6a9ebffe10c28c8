import { basename } from 'node:path';
import type { ProjectContext, RuleHit } from '../types';
import { clientConfigKind, clientConfigRules } from './clientConfigRules';
import { composeRules, dockerfileRules, procfileRules } from './deploymentRules';
import { fastmcpJsonRules } from './fastmcpJsonRules';
import { packageJsonRules } from './packageJsonRules';
import { pyprojectRules, runtimePinRules } from './pythonProjectRules';
import { secretRules } from './secretRules';

/**
 * Rules that run on project files rather than on server source: manifests, runtime pins,
 * deployment files and client launch configs. Source files get only the secret scan here.
 */

export type ProjectFileKind =
  | 'package.json'
  | 'pyproject.toml'
  | 'dockerfile'
  | 'compose'
  | 'procfile'
  | 'python-version'
  | 'nvmrc'
  | 'client-config'
  | 'fastmcp.json';

/** What kind of project file this is, or undefined for files the project rules ignore. */
export function projectFileKind(file: string): ProjectFileKind | undefined {
  const name = basename(file);
  if (name === 'package.json') return 'package.json';
  if (name === 'pyproject.toml') return 'pyproject.toml';
  if (name === 'Dockerfile' || name === 'Containerfile' || /\.dockerfile$/i.test(name) || /^Dockerfile\./.test(name))
    return 'dockerfile';
  if (/^(docker-)?compose([.-][\w.-]*)?\.ya?ml$/i.test(name)) return 'compose';
  if (name === 'Procfile') return 'procfile';
  if (name === '.python-version' || name === 'runtime.txt') return 'python-version';
  if (name === '.nvmrc' || name === '.node-version') return 'nvmrc';
  if (clientConfigKind(file)) return 'client-config';
  if (name === 'fastmcp.json' || name.endsWith('.fastmcp.json')) return 'fastmcp.json';
  return undefined;
}

/** Run every project-file rule that applies to this file. Never throws. */
export function runProjectRules(file: string, text: string, ctx: ProjectContext): RuleHit[] {
  const kind = projectFileKind(file);
  switch (kind) {
    case 'package.json':
      return packageJsonRules(file, text, ctx);
    case 'pyproject.toml':
      return [...pyprojectRules(file, text, ctx), ...secretRules(file, text, { language: 'config' })];
    case 'dockerfile':
      return [...dockerfileRules(file, text, ctx), ...secretRules(file, text, { language: 'config' })];
    case 'compose':
      return [...composeRules(file, text, ctx), ...secretRules(file, text, { language: 'config' })];
    case 'procfile':
      return procfileRules(file, text, ctx);
    case 'python-version':
      return runtimePinRules(file, text, ctx, 'python');
    case 'nvmrc':
      return runtimePinRules(file, text, ctx, 'node');
    case 'client-config':
      return clientConfigRules(file, text, ctx);
    case 'fastmcp.json':
      return fastmcpJsonRules(file, text, ctx);
    default:
      return [];
  }
}

export { secretRules } from './secretRules';
