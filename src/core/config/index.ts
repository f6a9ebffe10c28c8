/**
 * Config area public API: discovery, parsing, variables and validation of MCP client
 * configuration files. Pure Node (no `vscode`).
 */
export { discover } from './discover';
export { configLocations, locateConfigFile, watchPatterns } from './locations';
export { parseConfigText, type ParseOptions } from './parse';
export { resolveVariables, findVariables, type VariableContext, type VarRef } from './variables';
export { findOnPath } from './findOnPath';
export { CLIENTS, CLIENT_IDS, type ClientProfile } from './clients';
export type * from './types';
