import type { Services } from '../services';

/** Placeholder until the tree area lands. */
export function registerTree(_services: Services): void {}
