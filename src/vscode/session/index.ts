import type { Services } from '../services';

/** Placeholder until the session area lands. */
export function registerSessions(_services: Services): void {}
