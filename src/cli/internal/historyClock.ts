// The instant a history command looks from: now, unless the history runs ahead of the wall clock.

import { ManualClock } from '../../clock.js';
import type { MonitoringSystem } from '../../MonitoringSystem.js';
import { type ConnectionFlags, latestActivity, openHistory } from './openMonitor.js';

/**
 * A demo run at `--speed 60` stamps its events up to an hour ahead per real minute, so "the last
 * 24 hours" counted back from the wall clock would miss them. History is therefore viewed as of the
 * later of now and its newest row (or as of `at` when given): a real bot's history, never in the
 * future, is viewed as of now.
 */
export async function openHistoryAsOf(
  flags: ConnectionFlags,
  at: number | undefined,
): Promise<{ monitor: MonitoringSystem; asOf: number }> {
  const clock = new ManualClock(at ?? Date.now());
  const monitor = await openHistory(flags, { clock });
  if (at === undefined) {
    const latest = latestActivity(monitor);
    if (latest !== null) clock.advanceTo(latest);
  }
  return { monitor, asOf: clock.now() };
}
