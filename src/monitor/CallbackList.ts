// CallbackList: the bot's own functions called with each recorded event of one kind; a throwing callback never breaks the bot.

import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import type { CallbackKind, Diagnostics } from '../internal/Diagnostics.js';

/** A function the bot registers; what it returns is ignored, except that a rejected promise is counted. */
export type Callback<T> = (event: T) => unknown;

export class CallbackList<T> {
  private readonly list: Callback<T>[] = [];

  constructor(
    private readonly kind: CallbackKind,
    private readonly diagnostics: Diagnostics,
    private readonly clock: Clock,
  ) {}

  /** Adds `callback`; returns a function that removes it. */
  add(callback: Callback<T>): () => void {
    if (typeof callback !== 'function') throw new ValidationError('callback', callback, 'a function');
    const list = this.list;
    list.push(callback);
    return () => {
      const i = list.indexOf(callback);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Calls every callback with `event`; a throw or a rejection is counted, never passed on. */
  call(event: T): void {
    // A callback may remove itself (a one-shot); iterating a copy keeps the next one from being skipped.
    // With one callback there is nothing to skip, so the common case allocates nothing.
    const list = this.list;
    if (list.length === 0) return;
    const callbacks = list.length > 1 ? list.slice() : list;
    for (let i = 0; i < callbacks.length; i++) {
      try {
        const result = callbacks[i]!(event);
        if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(undefined, (error: unknown) => this.failed(error));
        }
      } catch (error) {
        this.failed(error);
      }
    }
  }

  private failed(error: unknown): void {
    this.diagnostics.callbackFailed(this.kind, error, this.clock.now());
  }
}
