// FileDays: a bot folder's day summaries and carried positions as its files stand now, rebuilt from the lines a summary does not account for.

import { statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../analytics/PnlLedger.js';
import { type CarriedTrade, carryPositions } from '../analytics/positionCarry.js';
import { type BalanceState, nextBalanceState } from './balanceState.js';
import { DaySummary } from './DaySummary.js';
import { CARRY_FILE, dataFile, listDays, readJson, SUMMARY_NAME, summaryFile } from './fileLayout.js';
import { completeBytes, forEachLine } from './fileScan.js';
import { TABLES, type TableName } from './schema.js';
import type { Row } from './sqliteRows.js';

/** `position_carry.json`: every symbol's position after the trade lines it accounts for, and how many bytes of each trades file those are. */
export interface Carry {
  positions: Position[];
  /** The last balance given and its hour's opening balance (balance updates are lines of the growth files). */
  balance: BalanceState | null;
  covered: Record<string, number>;
}

/** What a trade record moves in a position. */
export function carriedTrade(r: Row): CarriedTrade {
  return {
    symbol: r.symbol as string,
    side: r.side as 'buy' | 'sell',
    quantity: r.quantity as number,
    price: r.price as number,
    fee: r.fee as number,
    pnl: r.pnl_source === 'caller' ? (r.realized_pnl as number) : null,
  };
}

function parseLine(line: Buffer): Row | null {
  try {
    const r = JSON.parse(line.toString('utf8')) as Row;
    return r !== null && typeof r === 'object' && typeof r.timestamp === 'number' ? r : null;
  } catch {
    return null;
  }
}

/** Adds one stored line of `table` to `s`: a row, or a P&L filled into an earlier trade. False for a line that is not a record. */
export function addLine(s: DaySummary, table: TableName, r: Row, offset: number): void {
  if (r.event_type === 'balance_updated') return;
  if (table === 'trades' && r.event_type === 'profit_loss') {
    const realized = r.realized_pnl as number;
    s.fills.push({ timestamp: r.timestamp as number, symbol: r.symbol as string, executionId: r.execution_id as string, realized });
    s.hours.addRealized('', r.timestamp as number, r.symbol as string, realized);
    return;
  }
  s.row(table, r.timestamp as number, offset);
  if (table !== 'trades') return;
  s.hours.addTrade(
    '',
    r.timestamp as number,
    r.symbol as string,
    r.side as string,
    r.notional_value as number,
    r.fee as number,
    typeof r.realized_pnl === 'number' ? r.realized_pnl : null,
    r.execution_time_ms as number,
    r.slippage_bps as number,
    1,
  );
}

/** Whether two cache keys name the same stored summary file. */
function sameSummary(a: string, b: string): boolean {
  return a.slice(a.indexOf('|')) === b.slice(b.indexOf('|'));
}

interface Cached {
  readonly key: string;
  readonly summary: DaySummary;
  /** The stored summary did not account for every line (it should be written back). */
  readonly stale: boolean;
}

/**
 * Reads the folder as it stands: each day's summary (cached while its files keep their sizes), with
 * the lines past what the stored summary accounts for added; a torn last line (a crash mid-append)
 * left out and reported, and cut off when `cutTorn` (the writer's open).
 */
export class FileDays {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly dir: string,
    private readonly onNotice: (message: string) => void,
  ) {}

  /** Days that have a data file, oldest first, with their tables. */
  days(): Map<string, Set<TableName>> {
    return listDays(this.dir);
  }

  /** The day's summary accounting for every complete line of its files. */
  summary(day: string, tables: Set<TableName>, cutTorn = false): DaySummary {
    return this.load(day, tables, cutTorn).summary;
  }

  /** Reconciles every day (the writer's open): returns the summaries that must be written back. */
  reconcile(cutTorn: boolean): Map<string, DaySummary> {
    const stale = new Map<string, DaySummary>();
    for (const [day, tables] of this.days()) {
      const c = this.load(day, tables, cutTorn);
      if (c.stale) stale.set(day, c.summary);
    }
    return stale;
  }

  forget(): void {
    this.cache.clear();
  }

  private load(day: string, tables: Set<TableName>, cutTorn: boolean): Cached {
    const sizes = TABLES.map((t) =>
      tables.has(t) ? (statSync(join(this.dir, dataFile(t, day)), { throwIfNoEntry: false })?.size ?? 0) : 0,
    );
    const sum = statSync(join(this.dir, summaryFile(day)), { throwIfNoEntry: false });
    const key = `${sizes.join(',')}|${sum === undefined ? '' : `${sum.ino}:${sum.mtimeMs}:${sum.size}`}`;
    const hit = this.cache.get(day);
    if (hit !== undefined && hit.key === key) return hit;
    // The same stored summary and files that only grew: the cached summary goes on from the lines it accounts for.
    const grown = hit !== undefined && sameSummary(hit.key, key) && TABLES.every((t, i) => sizes[i]! >= hit.summary.bytes[t]);
    let s = grown ? hit.summary : (DaySummary.parse(readJson(join(this.dir, summaryFile(day)))) ?? new DaySummary());
    let stale = grown ? hit.stale : sum === undefined;
    const complete = TABLES.map((t, i) => {
      const size = sizes[i]!;
      if (size === 0) return 0;
      const path = join(this.dir, dataFile(t, day));
      const whole = completeBytes(path, size);
      if (whole < size) {
        this.onNotice(
          `history file ${path}: a torn last line (${size - whole} bytes, written by a crash) was ignored${cutTorn ? ' and cut off' : ''}`,
        );
        if (cutTorn) truncateSync(path, whole);
      }
      return whole;
    });
    // A summary claiming more than a file holds describes other files: rebuilt from the lines.
    if (TABLES.some((t, i) => s.bytes[t] > complete[i]!)) {
      s = new DaySummary();
      stale = true;
    }
    TABLES.forEach((t, i) => {
      if (s.bytes[t] === complete[i]) return;
      stale = true;
      const path = join(this.dir, dataFile(t, day));
      forEachLine(path, s.bytes[t], complete[i]!, (line, offset) => {
        const r = parseLine(line);
        if (r === null) this.onNotice(`history file ${path}: a line that is not a JSON record was ignored (byte ${offset})`);
        else addLine(s, t, r, offset);
      });
      s.bytes[t] = complete[i]!;
    });
    const cached = { key: cutTorn ? key.replace(/^[^|]*/, complete.join(',')) : key, summary: s, stale };
    this.cache.set(day, cached);
    return cached;
  }

  /** The positions every trade line of the folder leaves, from the carry file and the lines it does not account for yet. */
  carry(): Carry {
    const stored = readJson(join(this.dir, CARRY_FILE));
    let carry: Carry;
    if (Array.isArray(stored)) carry = { positions: stored as Position[], balance: null, covered: {} };
    else if (stored !== null && typeof stored === 'object' && Array.isArray((stored as Carry).positions)) carry = stored as Carry;
    else carry = { positions: [], balance: null, covered: {} };
    const covered: Record<string, number> = {};
    let positions = carry.positions;
    let balance = carry.balance ?? null;
    for (const [day, tables] of this.days()) {
      for (const table of ['trades', 'growth_metrics'] as const) {
        if (!tables.has(table)) continue;
        const name = dataFile(table, day);
        const end = this.summary(day, tables).bytes[table];
        const from = Math.min(carry.covered[name] ?? 0, end);
        if (from < end) {
          const trades: CarriedTrade[] = [];
          forEachLine(join(this.dir, name), from, end, (line) => {
            const r = parseLine(line);
            if (r === null) return;
            if (r.event_type === 'balance_updated') balance = nextBalanceState(balance, r.balance as number, r.timestamp as number);
            else if (table === 'trades' && r.event_type !== 'profit_loss') trades.push(carriedTrade(r));
          });
          if (trades.length > 0) positions = carryPositions(positions, trades);
        }
        covered[name] = end;
      }
    }
    return { positions, balance, covered };
  }
}

/** Days named by a summary file whose data files are all gone (retention): their summaries can go too. */
export function orphanSummaries(names: readonly string[], days: Map<string, Set<TableName>>): string[] {
  return names.filter((n) => {
    const m = SUMMARY_NAME.exec(n);
    return m !== null && !days.has(m[1]!);
  });
}
