import type { Services } from '../services';

/** Placeholder until the rules area lands. */
export function registerRules(_services: Services): void {}
