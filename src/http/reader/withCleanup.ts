// An async iteration that runs its cleanup exactly once, however it ends: completed, failed, or abandoned before or after it began.

/**
 * `source`, calling `cleanup(completed)` once: `true` when it was read to the end, `false` when it
 * failed or was given up (`return()`, which an async generator that never started would ignore).
 */
export function withCleanup<T>(source: AsyncIterator<T>, cleanup: (completed: boolean) => void): AsyncIterableIterator<T> {
  let ended = false;
  const end = (completed: boolean): void => {
    if (ended) return;
    ended = true;
    cleanup(completed);
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (ended) return { done: true, value: undefined };
      try {
        const result = await source.next();
        if (result.done) end(true);
        return result;
      } catch (error) {
        end(false);
        throw error;
      }
    },
    async return() {
      try {
        await source.return?.();
      } finally {
        end(false);
      }
      return { done: true, value: undefined };
    },
  };
}
