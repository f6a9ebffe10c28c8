/**
 * `p`, or `undefined` when it has not settled within `ms`. The timer is cleared as soon as `p`
 * settles, so nothing is left pending: a CLI exits as soon as its work is done.
 */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}
