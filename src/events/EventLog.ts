// EventLog: a bounded ring of the most recent events, O(1) append, newest-first queries.

import type { EventByType, EventType, MonitorEvent } from './types.js';

/** Filter for {@link EventLog.query}. */
export interface EventQuery<T extends EventType = EventType> {
  /** Only events of this type. */
  eventType?: T;
  /** Only events at or after this instant (epoch ms). */
  since?: number;
  /** Only events before this instant (epoch ms). */
  until?: number;
  /** At most this many, newest first. @default all that match */
  limit?: number;
}

/**
 * Holds the last `capacity` events. When full, each append overwrites the oldest event, so memory
 * stays bounded whatever the event rate. Counts per type are kept for everything ever appended.
 */
export class EventLog {
  readonly capacity: number;
  private readonly slots: (MonitorEvent | undefined)[];
  private head = 0; // index of the next write
  private length = 0;
  private appendedTotal = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`EventLog capacity must be a whole number >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.slots = new Array(capacity);
  }

  append(event: MonitorEvent): void {
    this.slots[this.head] = event;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.length < this.capacity) this.length++;
    this.appendedTotal++;
  }

  /** Events currently held. */
  get size(): number {
    return this.length;
  }

  /** Events ever appended, including those overwritten. */
  get totalAppended(): number {
    return this.appendedTotal;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.length = 0;
  }

  /** Matching events, newest first. */
  query<T extends EventType>(q: EventQuery<T> & { eventType: T }): EventByType[T][];
  query(q?: EventQuery): MonitorEvent[];
  query(q: EventQuery = {}): MonitorEvent[] {
    const limit = q.limit ?? Number.POSITIVE_INFINITY;
    const out: MonitorEvent[] = [];
    if (limit <= 0) return out;
    let idx = this.head;
    for (let i = 0; i < this.length; i++) {
      idx = idx === 0 ? this.capacity - 1 : idx - 1;
      const e = this.slots[idx]!;
      // No early exit on `since`: a wall clock may step backwards, so order is not guaranteed.
      if (q.since !== undefined && e.timestamp < q.since) continue;
      if (q.until !== undefined && e.timestamp >= q.until) continue;
      if (q.eventType !== undefined && e.eventType !== q.eventType) continue;
      out.push(e);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Calls `visit` for each held event, oldest first, without copying. */
  forEach(visit: (event: MonitorEvent) => void): void {
    let idx = this.length < this.capacity ? 0 : this.head;
    for (let i = 0; i < this.length; i++) {
      visit(this.slots[idx]!);
      idx = idx + 1 === this.capacity ? 0 : idx + 1;
    }
  }
}
