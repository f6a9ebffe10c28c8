/** Every Python rule, in catalogue order. A rule reads the file's facts and records hits on it. */
import type { PyFile } from '../context';
import { mcp301, mcp302 } from './concurrency';
import { importedRunSettings, mcp602, mcp603, mcp605 } from './config';
import { mcp101 } from './connection/stdout';
import { mcp103 } from './connection/stdin';
import { mcp104, mcp105 } from './connection/startup';
import { mcp113 } from './connection/raiseExceptions';
import { mcp106, mcp107, mcp108, mcp109, mcp110 } from './connection/http';
import { mcp401, mcp402, mcp403, mcp404 } from './performance';
import { mcp701, mcp702, mcp703, mcp704, mcp706, mcp709 } from './protocol';
import { mcp705 } from './errorResults';
import { mcp502 } from './paths';
import { importedHttpBinds, mcp501, mcp503, mcp504 } from './security';
import { mcp209 } from './encoding';
import { mcp201, mcp202, mcp203, mcp204, mcp207 } from './serialization';

export type PyRule = (py: PyFile) => void;

/** Rules for a helper module of a stdio server (no MCP import of its own): stdout writes and stdin reads. */
export const HELPER_RULES: PyRule[] = [mcp101, mcp103];

/**
 * Rules for a runner module that starts a server imported from another module (no MCP import of
 * its own): stdout writes before a stdio run (MCP101), its HTTP bind (MCP106 in a container, MCP503
 * on every interface) and its run() settings (MCP602).
 */
export const RUNNER_RULES: PyRule[] = [mcp101, mcp106, importedHttpBinds, importedRunSettings];

export const PYTHON_RULES: PyRule[] = [
  mcp101,
  mcp103,
  mcp104,
  mcp105,
  mcp106,
  mcp107,
  mcp108,
  mcp109,
  mcp110,
  mcp113,
  mcp201,
  mcp202,
  mcp203,
  mcp204,
  mcp207,
  mcp209,
  mcp301,
  mcp302,
  mcp401,
  mcp402,
  mcp403,
  mcp404,
  mcp501,
  mcp502,
  mcp503,
  mcp504,
  mcp602,
  mcp603,
  mcp605,
  mcp701,
  mcp702,
  mcp703,
  mcp704,
  mcp705,
  mcp706,
  mcp709,
];

/** Rule ids this analyzer can report. */
export const PYTHON_RULE_IDS = [
  'MCP101',
  'MCP103',
  'MCP104',
  'MCP105',
  'MCP106',
  'MCP107',
  'MCP108',
  'MCP109',
  'MCP110',
  'MCP113',
  'MCP201',
  'MCP202',
  'MCP203',
  'MCP204',
  'MCP207',
  'MCP209',
  'MCP301',
  'MCP302',
  'MCP401',
  'MCP402',
  'MCP403',
  'MCP404',
  'MCP501',
  'MCP502',
  'MCP503',
  'MCP504',
  'MCP602',
  'MCP603',
  'MCP605',
  'MCP701',
  'MCP702',
  'MCP703',
  'MCP704',
  'MCP705',
  'MCP706',
  'MCP709',
] as const;
