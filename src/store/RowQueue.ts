// RowQueue: the history store's rows not yet written, as a queue of encoded batches the writer thread takes whole.

import type { MonitorEvent } from '../events/types.js';
import { RowBatch } from './batchCodec.js';

/**
 * Rows in the order recorded, in batches of at most `batchRows`: the writer thread is handed the
 * oldest batch as it is (no slicing), and a batch it gives back goes in front again.
 */
export class RowQueue {
  private readonly batches: RowBatch[] = [];
  private size = 0;
  /** A written batch kept for its grown arrays, so a busy bot does not allocate them batch after batch. */
  private spare: RowBatch | null = null;

  constructor(private readonly batchRows: number) {}

  get length(): number {
    return this.size;
  }

  push(event: MonitorEvent): void {
    let last = this.batches[this.batches.length - 1];
    if (last === undefined || last.length >= this.batchRows) {
      last = this.spare ?? new RowBatch(undefined, this.batchRows);
      this.spare = null;
      this.batches.push(last);
    }
    last.push(event);
    this.size++;
  }

  /** The oldest batch, left in the queue (undefined when empty). */
  peek(): RowBatch | undefined {
    return this.batches[0];
  }

  /** Removes and returns the oldest batch (undefined when empty). */
  shift(): RowBatch | undefined {
    const batch = this.batches.shift();
    if (batch !== undefined) this.size -= batch.length;
    return batch;
  }

  /** Puts rows back in front (a batch the writer thread did not take, or only part of). */
  unshift(batch: RowBatch): void {
    if (batch.length === 0) return;
    this.batches.unshift(batch);
    this.size += batch.length;
  }

  /** Takes back a batch that was handed out with {@link shift} and is now written, for its arrays. */
  recycle(batch: RowBatch): void {
    batch.dropFirst(batch.length);
    this.spare = batch;
  }

  /** Forgets the oldest `n` rows of the oldest batch. */
  dropFirst(n: number): void {
    const batch = this.batches[0];
    if (batch === undefined) return;
    const before = batch.length;
    batch.dropFirst(n);
    this.size -= before - batch.length;
    if (batch.length === 0) this.batches.shift();
  }

  /** Every row's event, oldest first (built anew; for queries over rows not yet written). */
  toArray(): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    for (const batch of this.batches) for (let i = 0; i < batch.length; i++) out.push(batch.at(i));
    return out;
  }
}
