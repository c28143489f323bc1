// WebhookNotifier: posts critical errors and hourly reports to webhooks, entirely off the hot path.

import type { EventSink } from '../events/EventSink.js';
import { type ErrorEvent, EventType, type GrowthEvent, type MonitorEvent } from '../events/types.js';
import { formatBody, type Notification, type WebhookTarget } from './webhookFormats.js';

/** Tuning of {@link WebhookNotifier}; every field has a default. */
export interface WebhookNotifierOptions {
  /** Notifications waiting to be sent; when full the oldest is dropped (and counted). @default 100 */
  maxQueue?: number;
  /** Deadline of one request, the whole exchange: connecting, sending, the answer and its body. @default 5000 */
  timeoutMillis?: number;
  /** Attempts per notification and target, the first included. @default 3 */
  maxAttempts?: number;
  /** Wait before the first retry; doubles each time. @default 1000 */
  backoffMillis?: number;
  /** Notifications per target per minute; more are dropped (and counted). @default 20 */
  perMinute?: number;
  /** Send a report for every closed growth hour. @default false */
  hourlyReports?: boolean;
  /** Send critical errors at once (POSEIDON_CRITICAL_ALERTS). @default true */
  criticalErrors?: boolean;
  /** Wall time, for the rate limit. @default Date.now */
  now?: () => number;
}

/** What the notifier has done; exported as metrics. */
export interface NotifierStats {
  readonly sent: number;
  readonly failed: number;
  readonly dropped: number;
  readonly queued: number;
}

const DEFAULTS = {
  maxQueue: 100,
  timeoutMillis: 5000,
  maxAttempts: 3,
  backoffMillis: 1000,
  perMinute: 20,
  hourlyReports: false,
  criticalErrors: true,
};

interface Job {
  readonly target: WebhookTarget;
  readonly notification: Notification;
}

/**
 * Sends notifications to webhooks. `record` only looks at the event type and, for the two kinds
 * that notify, builds a message and queues it: no I/O, no await. One background task drains the
 * queue with timeouts, retries with exponential backoff and a per-target rate limit. A dead, slow
 * or failing endpoint costs the bot nothing but the counted drop. URLs are never logged, only
 * their origin (tokens live in paths and queries).
 */
export class WebhookNotifier implements EventSink {
  readonly name = 'notifier';
  private readonly opts: Required<Omit<WebhookNotifierOptions, 'now'>> & { now: () => number };
  private readonly queue: Job[] = [];
  private readonly sentAt = new Map<string, number[]>();
  private draining: Promise<void> | null = null;
  private readonly inflight = new Set<AbortController>();
  private stopped = false;
  /** Ends the backoff wait in progress, so stop() does not wait for it. */
  private wake: (() => void) | null = null;
  private counts = { sent: 0, failed: 0, dropped: 0 };
  private errorsThisHour = 0;

  constructor(
    private readonly targets: readonly WebhookTarget[],
    options: WebhookNotifierOptions = {},
    private readonly onFailure: (target: string, message: string) => void = () => {},
  ) {
    this.opts = { ...DEFAULTS, now: Date.now, ...options };
  }

  get stats(): NotifierStats {
    return { ...this.counts, queued: this.queue.length };
  }

  record(event: MonitorEvent): void {
    if (event.eventType === EventType.ERROR_EVENT) {
      this.errorsThisHour++;
      if (event.severity === 'critical' && this.opts.criticalErrors) this.notify(criticalMessage(event));
    } else if (event.eventType === EventType.GROWTH_TRACKING) {
      if (this.opts.hourlyReports) this.notify(hourlyMessage(event, this.errorsThisHour));
      this.errorsThisHour = 0;
    }
  }

  /** Queues a notification for every target. Never throws, never waits. */
  notify(notification: Notification): void {
    if (this.stopped || this.targets.length === 0) return;
    for (const target of this.targets) {
      if (this.queue.length >= this.opts.maxQueue) {
        this.queue.shift();
        this.counts.dropped++;
      }
      this.queue.push({ target, notification });
    }
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
  }

  /**
   * Waits until the queue is empty or `deadlineMillis` passes. Its timer is not unref'd: a bot
   * awaiting flush() with nothing else alive is not exited under it (exit code 13) mid-flush.
   */
  async flush(deadlineMillis = 10_000): Promise<void> {
    if (this.draining) await settleWithin(this.draining, deadlineMillis);
  }

  /**
   * Gives queued messages `graceMillis`, then drops what is left and aborts the request and the
   * backoff in progress: it resolves within the grace plus one second whatever a peer does. Safe
   * to call twice.
   */
  async stop(graceMillis = 2_000): Promise<void> {
    if (this.stopped) return;
    await this.flush(graceMillis);
    this.stopped = true;
    this.counts.dropped += this.queue.length;
    this.queue.length = 0;
    for (const c of this.inflight) c.abort();
    this.wake?.();
    // The aborted request settles at once; wait for it so the counts are final when stop returns.
    if (this.draining) await settleWithin(this.draining, STOP_SETTLE_MILLIS);
  }

  private async drain(): Promise<void> {
    // Yield first so that `notify` returns before any work starts.
    await Promise.resolve();
    while (this.queue.length > 0 && !this.stopped) {
      const job = this.queue.shift()!;
      if (!this.allow(job.target)) {
        this.counts.dropped++;
        continue;
      }
      await this.send(job);
    }
  }

  private allow(target: WebhookTarget): boolean {
    const now = this.opts.now();
    const times = (this.sentAt.get(target.url) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= this.opts.perMinute) {
      this.sentAt.set(target.url, times);
      return false;
    }
    times.push(now);
    this.sentAt.set(target.url, times);
    return true;
  }

  private async send(job: Job): Promise<void> {
    const body = formatBody(job.target, job.notification);
    let lastError = '';
    for (let attempt = 1; attempt <= this.opts.maxAttempts && !this.stopped; attempt++) {
      const status = await this.exchange(job.target.url, body);
      if (status === 'ok') {
        this.counts.sent++;
        return;
      }
      lastError = status;
      // 4xx other than 429 will not get better by retrying.
      if (/^HTTP 4(?!29)/.test(status)) break;
      if (attempt < this.opts.maxAttempts && !this.stopped) await this.pause(this.opts.backoffMillis * 2 ** (attempt - 1));
    }
    this.counts.failed++;
    this.onFailure(job.target.safeName, lastError);
  }

  /**
   * One POST, its answer and the answer's body under one deadline: a peer trickling a body is cut
   * when the deadline passes, not when it stops sending. `ok`, or why not.
   */
  private async exchange(url: string, body: string): Promise<string> {
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMillis);
    timer.unref();
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: controller.signal,
        redirect: 'error',
      });
      await drainBody(res);
      return res.ok ? 'ok' : `HTTP ${res.status}`;
    } catch (error) {
      if (!controller.signal.aborted) return errorCode(error);
      return this.stopped ? 'stopped' : `timed out after ${this.opts.timeoutMillis} ms`;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  /** The wait before a retry; stop() ends it. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}

// An answer's body is read (so the connection is released cleanly) up to this many bytes, then dropped.
const MAX_ANSWER_BYTES = 64 * 1024;
// After stop() aborts everything, the drain settles at once; this bounds the wait regardless.
const STOP_SETTLE_MILLIS = 1_000;

/** Reads and discards an answer's body, at most {@link MAX_ANSWER_BYTES} of it. */
async function drainBody(res: Response): Promise<void> {
  const reader = res.body?.getReader();
  if (reader === undefined) return;
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    seen += value.byteLength;
    if (seen > MAX_ANSWER_BYTES) {
      await reader.cancel();
      return;
    }
  }
}

/** Waits for `work` or `ms`, whichever is first; the timer is ref'd so the process stays up for it. */
async function settleWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

// Only the error's code or class: messages of fetch failures can contain the URL.
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.name : 'request failed');
}

function criticalMessage(e: ErrorEvent): Notification {
  const where = [e.symbol && `symbol ${e.symbol}`, e.loopName && `loop ${e.loopName}`].filter(Boolean).join(', ');
  return {
    kind: 'critical_error',
    title: `CRITICAL ${e.errorType}`,
    text: `${e.message}${where ? ` (${where})` : ''} at ${new Date(e.timestamp).toISOString()}`,
    fields: {
      errorType: e.errorType,
      severity: e.severity,
      message: e.message,
      symbol: e.symbol,
      loopName: e.loopName,
      errorId: e.errorId,
    },
    timestamp: e.timestamp,
  };
}

function hourlyMessage(g: GrowthEvent, errors: number): Notification {
  const pct = (g.growthRatio * 100).toFixed(2);
  const hour = new Date(g.hourStart).toISOString().slice(0, 13);
  return {
    kind: 'hourly_report',
    title: `Hourly report ${hour}:00 UTC`,
    text: `growth ${pct}% (${g.openingBalance} → ${g.closingBalance}), realized P&L ${g.realizedPnl.toFixed(2)}, trades ${g.tradeCount}, fees ${g.fees.toFixed(2)}, errors ${errors}`,
    fields: {
      hourStart: new Date(g.hourStart).toISOString(),
      growthRatio: g.growthRatio,
      openingBalance: g.openingBalance,
      closingBalance: g.closingBalance,
      realizedPnl: g.realizedPnl,
      tradeCount: g.tradeCount,
      fees: g.fees,
      volume: g.volume,
      errors,
    },
    timestamp: g.timestamp,
  };
}
