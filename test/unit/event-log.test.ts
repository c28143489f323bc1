// EventLog: the ring stays bounded, drops the oldest, and answers newest first by type, time and limit.

import { describe, expect, it } from 'vitest';
import { buildError, buildPerformance } from '../../src/events/build.js';
import { EventLog } from '../../src/events/EventLog.js';
import { EventType, type MonitorEvent } from '../../src/events/types.js';
import { createTestMonitor } from '../helpers/monitor.js';

/** Event `i` at time `i * 1000`: a performance metric whose value is `i`, every third one an error. */
function event(i: number): MonitorEvent {
  return i % 3 === 2 ? buildError(`error ${i}`, {}, i * 1000) : buildPerformance('m', i, 'count', undefined, i * 1000);
}

const ids = (events: MonitorEvent[]) => events.map((e) => e.timestamp / 1000);

describe('EventLog', () => {
  it('keeps the newest N of N + k appended events, newest first', () => {
    const log = new EventLog(5);
    for (let i = 0; i < 8; i++) log.append(event(i));
    expect(log.size).toBe(5);
    expect(log.capacity).toBe(5);
    expect(log.totalAppended).toBe(8);
    expect(ids(log.query())).toEqual([7, 6, 5, 4, 3]);
  });

  it('holds fewer than N events in order before it fills', () => {
    const log = new EventLog(5);
    for (let i = 0; i < 3; i++) log.append(event(i));
    expect(log.size).toBe(3);
    expect(ids(log.query())).toEqual([2, 1, 0]);
  });

  it('stays right after wrapping around many times', () => {
    const log = new EventLog(7);
    for (let i = 0; i < 1000; i++) log.append(event(i));
    expect(log.size).toBe(7);
    expect(ids(log.query())).toEqual([999, 998, 997, 996, 995, 994, 993]);
    const oldestFirst: number[] = [];
    log.forEach((e) => {
      oldestFirst.push(e.timestamp / 1000);
    });
    expect(oldestFirst).toEqual([993, 994, 995, 996, 997, 998, 999]);
  });

  it('with capacity 1 holds only the last event', () => {
    const log = new EventLog(1);
    log.append(event(0));
    log.append(event(1));
    expect(ids(log.query())).toEqual([1]);
  });

  it('filters by type, since (inclusive), until (exclusive) and limit', () => {
    const log = new EventLog(100);
    for (let i = 0; i < 12; i++) log.append(event(i));
    expect(ids(log.query({ eventType: EventType.ERROR_EVENT }))).toEqual([11, 8, 5, 2]);
    expect(ids(log.query({ since: 9000 }))).toEqual([11, 10, 9]);
    expect(ids(log.query({ until: 2000 }))).toEqual([1, 0]);
    expect(ids(log.query({ eventType: EventType.PERFORMANCE_METRIC, since: 3000, until: 9000, limit: 2 }))).toEqual([7, 6]);
    expect(log.query({ limit: 0 })).toEqual([]);
    expect(log.query({ eventType: EventType.TRADE_EXECUTION })).toEqual([]);
  });

  it('finds events by since even when the wall clock stepped back', () => {
    const log = new EventLog(10);
    log.append(event(5));
    log.append(event(1)); // clock stepped back
    log.append(event(6));
    expect(ids(log.query({ since: 5000 }))).toEqual([6, 5]);
  });

  it('clear empties it but keeps the count of events ever appended', () => {
    const log = new EventLog(3);
    for (let i = 0; i < 4; i++) log.append(event(i));
    log.clear();
    expect(log.size).toBe(0);
    expect(log.query()).toEqual([]);
    expect(log.totalAppended).toBe(4);
    log.append(event(9));
    expect(ids(log.query())).toEqual([9]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new EventLog(capacity)).toThrow(RangeError);
  });
});

describe('the monitor ring (POSEIDON_MAX_DATA_POINTS)', () => {
  it('is bounded at maxDataPoints and answers newest first', async () => {
    const monitor = createTestMonitor({ maxDataPoints: 5 });
    await monitor.start();
    try {
      for (let i = 1; i <= 8; i++) monitor.logPerformanceMetric('latency', i, 'milliseconds');
      const events = monitor.getRecentEvents({ limit: 100 });
      expect(events.map((e) => (e as { value: number }).value)).toEqual([8, 7, 6, 5, 4]);
      const health = monitor.getSystemHealth();
      expect(health.eventLogSize).toBe(5);
      expect(health.eventLogCapacity).toBe(5);
      // The start event and the eight metrics.
      expect(health.eventsRecorded).toBe(9);
    } finally {
      await monitor.stop();
    }
  });
});
