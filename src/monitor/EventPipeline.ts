// EventPipeline: derives from each event, fans it out to the ring and every sink, then the events derived from it; and opens and closes the sinks in one order.

import type { GrowthTracker } from '../analytics/GrowthTracker.js';
import type { Clock } from '../clock.js';
import { FlushError } from '../errors.js';
import type { EventLog } from '../events/EventLog.js';
import type { EventPublisher, EventSink } from '../events/EventSink.js';
import type { MonitorEvent } from '../events/types.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import { flushOnExit } from './exitHooks.js';

/**
 * Every event goes: derive (the growth hour's roll), ring, each sink in order; then the events
 * derived from it, in the order they were derived. No sink publishes: an event published while one
 * is being fanned out (by a timer firing inside a sink, say) waits its turn, so every sink sees
 * every event in the same order.
 */
export class EventPipeline implements EventPublisher {
  private readonly sinks: EventSink[] = [];
  private readonly queue: MonitorEvent[] = [];
  private fanning = false;
  private unhook: (() => void) | null = null;

  constructor(
    private readonly ring: EventLog,
    private readonly growth: GrowthTracker | null,
    private readonly diagnostics: Diagnostics,
    private readonly clock: Clock,
  ) {}

  /** Adds a destination for every event; sinks start in the order added and stop in reverse. */
  add(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Fans out `event`, then `derived` (a trade's P&L event) when given, then what the growth hour derived from them. */
  publish(event: MonitorEvent, derived: MonitorEvent | null = null): void {
    const queue = this.queue;
    queue.push(event);
    if (derived !== null) queue.push(derived);
    if (this.fanning) return;
    this.fanning = true;
    try {
      for (let i = 0; i < queue.length; i++) this.fanOut(queue[i]!);
    } finally {
      queue.length = 0;
      this.fanning = false;
    }
  }

  private fanOut(event: MonitorEvent): void {
    const growth = this.growth;
    if (growth !== null) {
      try {
        growth.observe(event, this.queue);
      } catch (error) {
        this.diagnostics.sinkFailed('growth', error, event.timestamp);
      }
    }
    this.ring.appendBuilt(event);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) {
      try {
        sinks[i]!.record(event);
      } catch (error) {
        this.diagnostics.sinkFailed(sinks[i]!.name, error, event.timestamp);
      }
    }
  }

  /**
   * Starts every sink in order, then the growth hour and the exit hooks. When a sink fails to
   * start, every sink is stopped again (releasing what the others opened) and the error rethrown.
   */
  async start(signalHandlers: boolean): Promise<void> {
    try {
      for (const sink of this.sinks) await sink.start?.();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.growth?.start(this);
    this.unhook ??= flushOnExit(() => this.flushSync(), signalHandlers);
  }

  /**
   * Makes everything recorded so far durable in every sink. A sink that reports records it could not
   * make durable fails the flush with one {@link FlushError} summing every sink's; any other sink
   * failure is counted, not thrown.
   */
  async flush(): Promise<void> {
    const losses = new LossTally();
    for (const sink of this.sinks) {
      try {
        await sink.flush?.();
      } catch (error) {
        losses.take(error, (other) => this.diagnostics.sinkFailed(sink.name, other, this.clock.now()));
      }
    }
    losses.throwIfAny();
  }

  /**
   * Stops the growth hour, the exit hooks and every sink in reverse order: the first added (the
   * log) stops last and writes what the others report while stopping. Every sink is stopped before
   * the losses any of them reported are thrown, as one {@link FlushError}.
   */
  async stop(): Promise<void> {
    this.growth?.stop();
    this.unhook?.();
    this.unhook = null;
    const losses = new LossTally();
    for (const sink of [...this.sinks].reverse()) {
      try {
        await sink.stop?.();
      } catch (error) {
        losses.take(error, (other) => this.diagnostics.sinkFailed(sink.name, other, this.clock.now()));
      }
    }
    losses.throwIfAny();
  }

  /** The exit hook: every sink's synchronous flush, in stop order. */
  private flushSync(): void {
    for (let i = this.sinks.length - 1; i >= 0; i--) {
      try {
        this.sinks[i]!.flushSync?.();
      } catch {
        // Exiting: a sink reports its own failures; the next sink still gets its turn.
      }
    }
  }
}

/** Sums the {@link FlushError}s of several sinks; hands any other error to `other`. */
class LossTally {
  private historyRows = 0;
  private logLines = 0;
  private any = false;

  take(error: unknown, other: (error: unknown) => void): void {
    if (!(error instanceof FlushError)) {
      other(error);
      return;
    }
    this.any = true;
    this.historyRows += error.historyRows;
    this.logLines += error.logLines;
  }

  throwIfAny(): void {
    if (this.any) throw new FlushError({ historyRows: this.historyRows, logLines: this.logLines });
  }
}
