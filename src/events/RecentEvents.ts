// RecentEvents: the queries over the in-memory ring of recent events (the durable history is in the store).

import { ValidationError } from '../errors.js';
import { optionalObject, requireInstant } from '../internal/validate.js';
import type { EventLog } from './EventLog.js';
import { type ErrorEvent, EventType, type MonitorEvent, type TradeEvent } from './types.js';

/** Query of {@link RecentEvents.query}. */
export interface RecentEventsQuery {
  /** @default 100 */
  limit?: number;
  eventType?: EventType | `${EventType}`;
  since?: Date | number;
}

const EVENT_TYPES = Object.values(EventType) as string[];

/** Reads the ring, newest first; every query validates its arguments and throws {@link ValidationError} naming a bad one. */
export class RecentEvents {
  constructor(private readonly ring: EventLog) {}

  /** Recent events, newest first: at most `limit` (default 100), of one `eventType`, at or after `since`. */
  query(query: RecentEventsQuery = {}): MonitorEvent[] {
    const q = optionalObject('query', query);
    const limit = q.limit === undefined ? 100 : q.limit;
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) {
      throw new ValidationError('limit', limit, 'a whole number >= 0');
    }
    if (q.eventType !== undefined && !EVENT_TYPES.includes(q.eventType as string)) {
      throw new ValidationError('eventType', q.eventType, `one of ${EVENT_TYPES.join(', ')}`);
    }
    const since = q.since === undefined ? undefined : requireInstant('since', q.since);
    return this.ring.query({ limit, eventType: q.eventType as EventType | undefined, since });
  }

  /** Errors at or after `since` still in the ring, newest first. */
  errorsSince(since: Date | number): ErrorEvent[] {
    return this.ring.query({ eventType: EventType.ERROR_EVENT, since: requireInstant('since', since) });
  }

  /** Trades at or after `since` still in the ring, newest first. */
  tradesSince(since: Date | number): TradeEvent[] {
    return this.ring.query({ eventType: EventType.TRADE_EXECUTION, since: requireInstant('since', since) });
  }

  /** Empties the ring (the store keeps its history). */
  clear(): void {
    this.ring.clear();
  }
}
