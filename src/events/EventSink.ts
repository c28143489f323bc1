// The contract between the facade and the places an event goes (metrics, logs, store, …).

import type { MonitorEvent } from './types.js';

/**
 * A destination for events. `record` is on the bot's hot path: it must do no I/O and should not
 * throw; if it does, the facade counts the failure and carries on with the other sinks.
 */
export interface EventSink {
  /** Short name used in diagnostics, e.g. `store`. */
  readonly name: string;
  record(event: MonitorEvent): void;
  /** Opens files, sockets and timers. */
  start?(): Promise<void> | void;
  /** Makes everything recorded so far durable. */
  flush?(): Promise<void> | void;
  /** Writes what is buffered, synchronously: called when the process exits. Must not throw. */
  flushSync?(): void;
  /** Flushes and releases everything; safe to call twice, and after a `start()` that failed. */
  stop?(): Promise<void> | void;
}

/** Where an event enters the monitor's pipeline: validated and built already, fanned out to every sink. */
export interface EventPublisher {
  publish(event: MonitorEvent): void;
}
