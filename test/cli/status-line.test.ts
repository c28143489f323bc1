// StatusLine: redraws in place on a terminal, prints whole lines to a pipe, events/min over simulated time.

import { describe, expect, it } from 'vitest';
import { StatusLine, type StatusSnapshot } from '../../src/cli/demo/StatusLine.js';

function stream(isTTY: boolean): { isTTY: boolean; written: string[]; write(t: string): void } {
  const s = {
    isTTY,
    written: [] as string[],
    write(t: string) {
      s.written.push(t);
    },
  };
  return s;
}

const T0 = Date.UTC(2026, 0, 1, 12);

describe('StatusLine', () => {
  it('renders trades, P&L, balance, errors and events per simulated minute', () => {
    const line = new StatusLine(stream(false), () => snapshot);
    let snapshot: StatusSnapshot = { now: T0, trades: 0, realizedPnl: 0, balance: 10_000, errors: 0, events: 0 };
    line.render(snapshot);
    snapshot = { now: T0 + 120_000, trades: 12, realizedPnl: -3.456, balance: 9_996.544, errors: 2, events: 300 };
    expect(line.render(snapshot)).toBe('[2026-01-01 12:02:00 UTC] trades 12  P&L -3.46  balance 9996.54  errors 2  events/min 150');
  });

  it('writes a whole line per refresh when the stream is not a terminal', () => {
    const out = stream(false);
    const line = new StatusLine(out, () => ({ now: T0, trades: 1, realizedPnl: 2, balance: 3, errors: 0, events: 5 }));
    line.refresh();
    line.refresh();
    expect(out.written).toHaveLength(2);
    for (const w of out.written) {
      expect(w.endsWith('\n')).toBe(true);
      expect(w).not.toContain('\r');
    }
    line.stop();
    expect(out.written).toHaveLength(2); // nothing to end on a pipe
  });

  it('redraws in place on a terminal and ends the line when stopped', () => {
    const out = stream(true);
    const line = new StatusLine(out, () => ({ now: T0, trades: 1, realizedPnl: 2, balance: 3, errors: 0, events: 5 }));
    line.refresh();
    expect(out.written[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(out.written[0]).not.toContain('\n');
    line.stop();
    expect(out.written.at(-1)).toBe('\n');
  });

  it('refreshes on a referenced real interval (what keeps the demo alive) and stops it twice safely', () => {
    const line = new StatusLine(stream(false), () => ({ now: T0, trades: 0, realizedPnl: 0, balance: 0, errors: 0, events: 0 }));
    line.start();
    const timer = (line as unknown as { timer: NodeJS.Timeout }).timer;
    expect(timer.hasRef()).toBe(true);
    line.stop();
    line.stop();
    expect((line as unknown as { timer: NodeJS.Timeout | null }).timer).toBeNull();
  });
});
