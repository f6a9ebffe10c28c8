import type { Services } from '../services';

/** Placeholder until the trace area lands. */
export function registerTrace(_services: Services): void {}
