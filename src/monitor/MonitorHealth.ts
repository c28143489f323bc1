// MonitorHealth: the monitor's own health report (`getSystemHealth()`, `GET /api/health`).

import type { EventLog } from '../events/EventLog.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { MonitorStateView } from './MonitorState.js';

/** What `getSystemHealth()` reports. */
export interface SystemHealth {
  readonly monitoringSystemRunning: boolean;
  readonly startedAt: string | null;
  readonly uptimeSeconds: number;
  readonly activeExecutions: number;
  readonly activeLoops: readonly string[];
  readonly eventsRecorded: number;
  readonly eventLogSize: number;
  readonly eventLogCapacity: number;
  readonly accountBalance: number | null;
  readonly callbackFailures: number;
  readonly sinkFailures: number;
  readonly lastFailure: { readonly at: string; readonly where: string; readonly message: string } | null;
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number };
}

/** Reads the state, the ring and the failure counters into a {@link SystemHealth}. */
export class MonitorHealth {
  constructor(
    private readonly state: MonitorStateView,
    private readonly ring: EventLog,
    private readonly diagnostics: Diagnostics,
  ) {}

  report(): SystemHealth {
    const memory = process.memoryUsage();
    const { state, ring, diagnostics } = this;
    const last = diagnostics.lastFailure;
    return {
      monitoringSystemRunning: state.running,
      startedAt: state.startedAt === null ? null : new Date(state.startedAt).toISOString(),
      uptimeSeconds: state.uptimeSeconds(),
      activeExecutions: state.activeExecutionCount,
      activeLoops: state.activeLoopNames(),
      eventsRecorded: ring.totalAppended,
      eventLogSize: ring.size,
      eventLogCapacity: ring.capacity,
      accountBalance: state.accountBalance(),
      callbackFailures: diagnostics.totalCallbackFailures,
      sinkFailures: diagnostics.totalSinkFailures,
      lastFailure: last === null ? null : { at: new Date(last.at).toISOString(), where: last.where, message: last.message },
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
    };
  }
}
