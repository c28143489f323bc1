// Caps how many distinct values of one label become series; the rest share the `__other__` value.

import { OTHER_LABEL_VALUE } from './names.js';

/**
 * Maps a label value (a symbol, a loop name) to the attribute sets bound for it, built once on
 * first sight. After `max` distinct values every new one maps to the `__other__` sets and
 * `onOverflow` is called, so a bot trading thousands of symbols cannot blow up the time-series
 * database. The map lookup is the whole cost on the hot path: nothing is allocated for a known value.
 */
export class LabelCap<T> {
  private readonly bound = new Map<string, T>();
  private other: T | null = null;

  constructor(
    private readonly max: number,
    private readonly build: (value: string) => T,
    private readonly onOverflow: () => void,
  ) {}

  /** The attribute sets of `value`, or of `__other__` once the cap is reached. */
  get(value: string): T {
    const found = this.bound.get(value);
    if (found !== undefined) return found;
    if (this.bound.size < this.max) {
      const created = this.build(value);
      this.bound.set(value, created);
      return created;
    }
    this.onOverflow();
    if (this.other === null) this.other = this.build(OTHER_LABEL_VALUE);
    return this.other;
  }

  /**
   * What `value` maps to without binding it or counting an overflow: its own sets, or the
   * `__other__` sets once the cap is reached and they exist; null when `get` would bind or overflow.
   */
  peek(value: string): T | null {
    const found = this.bound.get(value);
    if (found !== undefined) return found;
    return this.bound.size < this.max ? null : this.other;
  }

  /** Everything bound so far, `__other__` last once used. */
  *all(): IterableIterator<T> {
    yield* this.bound.values();
    if (this.other !== null) yield this.other;
  }

  /** Label values bound so far (without `__other__`). */
  values(): IterableIterator<string> {
    return this.bound.keys();
  }

  /** Distinct values bound so far (without `__other__`). */
  get size(): number {
    return this.bound.size;
  }
}
