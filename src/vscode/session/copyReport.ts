import type { Services } from '../services';
import type { SessionManager } from './sessionManager';

/** Placeholder until src/core/session/report.ts lands. */
export async function copyReport(_services: Services, _manager: SessionManager, _arg: unknown): Promise<string | undefined> {
  return undefined;
}
