// Test helper: a MonitoringSystem that touches nothing outside the test (no port, no log file, no database file).

import { ManualClock } from '../../src/clock.js';
import type { MonitoringConfigOptions } from '../../src/config/MonitoringConfig.js';
import type { MonitorEvent } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';

/**
 * The options that keep a monitor self-contained. New "quiet" switches (console output, signal
 * handlers, …) belong here, so every test that creates a monitor picks them up in one place.
 */
export const QUIET_OPTIONS: MonitoringConfigOptions = Object.freeze({
  metricsPort: 0,
  enableMetricsServer: false,
  logFile: null,
  storage: 'memory',
  installSignalHandlers: false,
  logConsole: false,
});

/** Where the test monitor starts its manual clock: a fixed instant, so timestamps can be asserted exactly. */
export const TEST_START = Date.UTC(2026, 0, 1, 12, 0, 0);

/**
 * A monitor with {@link QUIET_OPTIONS} and a {@link ManualClock} at {@link TEST_START}, unless
 * `overrides` say otherwise. It is not started; the caller starts and stops it.
 */
export function createTestMonitor(overrides: MonitoringConfigOptions = {}): MonitoringSystem {
  return new MonitoringSystem({ ...QUIET_OPTIONS, clock: new ManualClock(TEST_START), ...overrides });
}

/** The manual clock of a monitor made by {@link createTestMonitor}. */
export function clockOf(monitor: MonitoringSystem): ManualClock {
  const clock = monitor.config.clock;
  if (!(clock instanceof ManualClock)) throw new Error('this monitor was not created with a ManualClock');
  return clock;
}

/** A sink that keeps every event it is given, and which of its lifecycle methods were called, in order. */
export interface ProbeSink {
  readonly name: string;
  readonly seen: MonitorEvent[];
  readonly calls: ('start' | 'flush' | 'stop')[];
  record(event: MonitorEvent): void;
  start(): void;
  flush(): void;
  stop(): void;
}

/** Adds a {@link ProbeSink} to `monitor` and returns it. */
export function addProbe(monitor: MonitoringSystem, name = 'probe'): ProbeSink {
  const probe: ProbeSink = {
    name,
    seen: [],
    calls: [],
    record(event) {
      probe.seen.push(event);
    },
    start() {
      probe.calls.push('start');
    },
    flush() {
      probe.calls.push('flush');
    },
    stop() {
      probe.calls.push('stop');
    },
  };
  monitor.addSink(probe);
  return probe;
}
