// MonitoringLogger: the seed's `monitor.logger`: queries over the in-memory event ring, and the pino logger of the log outputs.

import type { Logger as PinoLogger } from 'pino';
import type { EventLog, EventQuery } from '../events/EventLog.js';
import { type ErrorEvent, EventType, type MonitorEvent, type TradeEvent } from '../events/types.js';
import { requireInstant } from '../internal/validate.js';
import type { LogSink } from './LogSink.js';

/** Recent-event queries (the durable history is in the store), and a pino logger for the bot's own lines. */
export class MonitoringLogger {
  constructor(
    private readonly events: EventLog,
    private readonly sink: LogSink | null = null,
  ) {}

  /**
   * A pino logger writing to the monitor's log file and console, in its format, at its level, with
   * secret-named fields redacted: `monitor.logger.pino.info({ orderId }, 'order placed')`. Null
   * when this logger was made without a log sink.
   */
  get pino(): PinoLogger | null {
    return this.sink?.pino ?? null;
  }

  /** Errors at or after `since` still in the ring, newest first. */
  getErrorsSince(since: Date | number): ErrorEvent[] {
    return this.events.query({ eventType: EventType.ERROR_EVENT, since: requireInstant('since', since) });
  }

  /** Trades at or after `since` still in the ring, newest first. */
  getTradesSince(since: Date | number): TradeEvent[] {
    return this.events.query({ eventType: EventType.TRADE_EXECUTION, since: requireInstant('since', since) });
  }

  /** Most recent events, newest first. */
  getRecentEvents(query: EventQuery = {}): MonitorEvent[] {
    return this.events.query(query);
  }

  /** Empties the in-memory ring (the store keeps its history). */
  clearEvents(): void {
    this.events.clear();
  }
}
