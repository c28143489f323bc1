// Waits for Ctrl-C, SIGTERM or a deadline, whichever comes first: how long-running commands end.

/** Why a long-running command is ending. */
export type StopReason = 'SIGINT' | 'SIGTERM' | 'duration';

/**
 * Resolves on the first SIGINT/SIGTERM, or after `realMillis` (null: no deadline). While waiting a
 * referenced timer keeps the process alive (the monitor's own timers and server are unref'd). After
 * the first signal, a second one exits at once with 130, for a shutdown that hangs.
 */
export function untilStopped(realMillis: number | null): Promise<StopReason> {
  return new Promise((resolve) => {
    // A long interval rather than one timeout: Node caps a single timer at about 24.8 days.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const deadline = realMillis === null ? null : setTimeout(() => finish('duration'), realMillis);
    const onInt = () => finish('SIGINT');
    const onTerm = () => finish('SIGTERM');
    const force = () => {
      process.stderr.write('\nsecond signal: exiting without waiting for the shutdown to finish\n');
      process.exit(130);
    };
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    function finish(reason: StopReason): void {
      clearInterval(keepAlive);
      if (deadline !== null) clearTimeout(deadline);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(reason);
    }
  });
}
