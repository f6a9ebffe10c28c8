/** A value the probe may return while the condition does not hold yet. */
type NotYet = undefined | null | false | 0 | '';

/**
 * Polls `probe` until it returns a truthy value and resolves with that value; rejects when
 * `timeoutMs` passes first, with a message naming `what` it waited for (a function is called
 * then, so the message can show the state at the timeout) and the probe's last error. Used by
 * unit and integration tests alike: tests wait for a condition, never for a fixed time.
 */
export async function waitFor<T>(
  probe: () => T | NotYet | Promise<T | NotYet>,
  what: string | (() => string),
  timeoutMs = 30000,
): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started > timeoutMs) {
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      const subject = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${subject}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Time between two probes. */
const POLL_MS = 25;
