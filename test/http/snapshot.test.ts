// SnapshotTaker: one copy of the live figures per turn of the event loop, and the resources reading reused for a second.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceUtilization } from '../../src/analytics/dashboardTypes.js';
import { type LiveSources, RESOURCES_REUSE_MS, SnapshotTaker } from '../../src/http/reader/snapshot.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { createTestMonitor } from '../helpers/monitor.js';

let monitor: MonitoringSystem | null = null;

afterEach(async () => {
  await monitor?.stop();
  monitor = null;
});

/** The live sources the monitor lends its JSON API, with their resources readings counted. */
async function countedLive(): Promise<{ live: LiveSources; readings: () => number }> {
  monitor = createTestMonitor();
  await monitor.start();
  const reader = (monitor.api as unknown as { sources: { reader: { options: { live: LiveSources } } } }).sources.reader;
  const live = reader.options.live;
  let readings = 0;
  return {
    live: {
      ...live,
      resources: (): ResourceUtilization => {
        readings++;
        return { ...live.resources(), cpuRatio: readings };
      },
    },
    readings: () => readings,
  };
}

describe('SnapshotTaker', () => {
  it('shares one snapshot per turn, and reads the resources at most once per reuse period', async () => {
    const { live, readings } = await countedLive();
    let now = 0;
    const taker = new SnapshotTaker(live, () => now);
    const first = taker.take(false);
    expect(taker.take(false)).toBe(first);
    expect(readings()).toBe(0);
    // A view that shows resources in the same turn: read once, then shared.
    const withResources = taker.take(true);
    expect(withResources.resources?.cpuRatio).toBe(1);
    expect(taker.take(true)).toBe(withResources);
    expect(taker.take(false)).toBe(withResources);
    await nextTurn();
    now = RESOURCES_REUSE_MS - 1;
    const later = taker.take(true);
    expect(later).not.toBe(withResources);
    expect(later.resources?.cpuRatio).toBe(1);
    expect(readings()).toBe(1);
    await nextTurn();
    now = RESOURCES_REUSE_MS;
    expect(taker.take(true).resources?.cpuRatio).toBe(2);
    expect(readings()).toBe(2);
  });
});
