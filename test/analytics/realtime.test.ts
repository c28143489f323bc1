// Real-time metrics through the facade: events per minute is the trailing 60 seconds.

import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { clockOf, createTestMonitor } from '../helpers/monitor.js';

describe('getRealTimeMetrics', () => {
  let monitor: MonitoringSystem;
  afterEach(async () => monitor.stop());

  it('counts the events of the last 60 seconds, so it is not 0 right after activity', async () => {
    monitor = createTestMonitor();
    await monitor.start(); // one event: monitor_started
    const clock = clockOf(monitor);
    clock.advance(20_000);
    monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 50_000 });
    monitor.logError('timeout', { severity: 'low' });
    clock.advance(1_000);
    expect(monitor.getRealTimeMetrics().eventsPerMinute).toBe(3);
    clock.advance(39_500); // 60.5 s after start: the start event has left the window
    expect(monitor.getRealTimeMetrics().eventsPerMinute).toBe(2);
    clock.advance(20_000);
    expect(monitor.getRealTimeMetrics().eventsPerMinute).toBe(0);
  });
});
