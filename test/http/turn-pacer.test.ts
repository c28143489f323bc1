// TurnPacer: queued work runs in order, a few items per turn of the event loop, with other work of the loop between the shares.

import { describe, expect, it } from 'vitest';
import { TurnPacer } from '../../src/http/TurnPacer.js';

describe('TurnPacer', () => {
  it('runs at most its share per turn, in order, and lets the loop run between shares', async () => {
    const pacer = new TurnPacer(4);
    const log: string[] = [];
    for (let i = 0; i < 10; i++) pacer.run(() => log.push(String(i)));
    // Other work of the loop, one step per turn (queued after the pacer's first share).
    await new Promise<void>((resolve) => {
      let turns = 0;
      const step = (): void => {
        log.push('turn');
        if (++turns < 3) setImmediate(step);
        else resolve();
      };
      setImmediate(step);
    });
    expect(log).toEqual(['0', '1', '2', '3', 'turn', '4', '5', '6', '7', 'turn', '8', '9', 'turn']);
    // Idle again: new work starts a new share.
    const later: number[] = [];
    await new Promise<void>((resolve) => pacer.run(() => resolve(void later.push(1))));
    expect(later).toEqual([1]);
  });
});
