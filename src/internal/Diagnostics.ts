// Diagnostics: the monitor's own failure counters, read by telemetry and health checks.

import { describeValue } from '../errors.js';

export type CallbackKind = 'trade' | 'error' | 'performance';

/** Counts what went wrong inside the monitor without ever throwing into the bot. */
export class Diagnostics {
  readonly callbackFailures: Record<CallbackKind, number> = { trade: 0, error: 0, performance: 0 };
  readonly sinkFailures = new Map<string, number>();
  lastFailure: { readonly at: number; readonly where: string; readonly message: string } | null = null;
  private readonly listeners: ((where: string, error: unknown) => void)[] = [];

  callbackFailed(kind: CallbackKind, error: unknown, at: number): void {
    this.callbackFailures[kind]++;
    this.report(`callback:${kind}`, error, at);
  }

  sinkFailed(sink: string, error: unknown, at: number): void {
    this.sinkFailures.set(sink, (this.sinkFailures.get(sink) ?? 0) + 1);
    this.report(`sink:${sink}`, error, at);
  }

  /** Subscribes to failures (the logger writes them out). */
  onFailure(listener: (where: string, error: unknown) => void): void {
    this.listeners.push(listener);
  }

  get totalCallbackFailures(): number {
    const c = this.callbackFailures;
    return c.trade + c.error + c.performance;
  }

  get totalSinkFailures(): number {
    let n = 0;
    for (const v of this.sinkFailures.values()) n += v;
    return n;
  }

  private report(where: string, error: unknown, at: number): void {
    this.lastFailure = { at, where, message: failureMessage(error) };
    for (const l of this.listeners) {
      try {
        l(where, error);
      } catch {
        // A failing diagnostic listener must not turn one failure into two.
      }
    }
  }
}

/** A failure's message. Whatever was thrown (an object whose `toString` throws, one without a prototype), this never throws. */
function failureMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return describeValue(error);
  }
}
