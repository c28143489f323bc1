// MemoryBackend: history kept in process memory (POSEIDON_STORAGE=memory), same query semantics as SQLite.

import type { AnalyticsQueries } from '../analytics/AnalyticsQueries.js';
import type { Position } from '../analytics/PnlLedger.js';
import {
  type ErrorEvent,
  EventType,
  type GrowthEvent,
  type LoopExecutionEvent,
  type MonitorEvent,
  type TradeEvent,
} from '../events/types.js';
import { type BalanceState, balanceOf, nextBalanceState } from './balanceState.js';
import type { RowBatch } from './batchCodec.js';
import type { TableCounts } from './HistoryReader.js';
import { MemoryAnalytics } from './MemoryAnalytics.js';
import { EVENT_TYPE_OF, type NormalizedQuery, newestMatches, type StoredEventByKind, type StoredKind } from './queries.js';
import type { StoreBackend } from './StoreBackend.js';
import { TABLES, type TableName } from './schema.js';

/** The table each stored event type goes to. */
export const TABLE_OF: Partial<Record<EventType, TableName>> = {
  [EventType.TRADE_EXECUTION]: 'trades',
  [EventType.PERFORMANCE_METRIC]: 'performance_metrics',
  [EventType.GROWTH_TRACKING]: 'growth_metrics',
  [EventType.LIQUIDITY_ANALYSIS]: 'liquidity_metrics',
  [EventType.LOOP_EXECUTION]: 'loop_executions',
  [EventType.ERROR_EVENT]: 'errors',
};

/** The table each query kind reads. */
export const KIND_TABLE: { readonly [K in StoredKind]: TableName } = {
  trades: 'trades',
  performance: 'performance_metrics',
  liquidity: 'liquidity_metrics',
  growth: 'growth_metrics',
  loops: 'loop_executions',
  errors: 'errors',
};

/**
 * History in arrays, for tests and short-lived runs: nothing survives the process. Stores the
 * events as the history buffer gives them back (equal to those recorded, frozen).
 */
export class MemoryBackend implements StoreBackend {
  readonly kind = 'memory';
  private readonly tables = new Map<TableName, MonitorEvent[]>(TABLES.map((t) => [t, []]));
  /** Realized P&L per trade (the ledger's or the caller's), as `trades.realized_pnl` holds it. */
  private readonly realized = new Map<TradeEvent, number>();
  private balance: BalanceState | null = null;
  private open_ = false;
  private readonly analytics_ = new MemoryAnalytics({
    trades: () => this.tables.get('trades') as TradeEvent[],
    loops: () => this.tables.get('loop_executions') as LoopExecutionEvent[],
    errors: () => this.tables.get('errors') as ErrorEvent[],
    growth: () => this.tables.get('growth_metrics') as GrowthEvent[],
    realizedPnlOf: (t) => this.realizedPnlOf(t),
  });

  /** @param bot The name its rows are recorded under (memory holds one bot's rows). */
  constructor(private readonly bot = '') {}

  get isOpen(): boolean {
    return this.open_;
  }

  open(): void {
    this.open_ = true;
  }

  writeBatch(rows: RowBatch, start: number, end: number): number {
    if (!this.open_) throw new Error('history store is not open');
    const trades = this.tables.get('trades')!;
    let written = 0;
    for (let i = start; i < end; i++) {
      const e = rows.at(i);
      if (e.eventType === EventType.PROFIT_LOSS) {
        // The newest trade with that id whose P&L the caller did not give, as in SQLite.
        for (let j = trades.length - 1; j >= 0; j--) {
          const t = trades[j] as TradeEvent;
          if (t.executionId === e.executionId && t.pnl === null && !this.realized.has(t)) {
            this.realized.set(t, e.realizedPnl);
            break;
          }
        }
        continue;
      }
      const given = balanceOf(e);
      if (given !== null) {
        this.balance = nextBalanceState(this.balance, given, e.timestamp);
        continue;
      }
      const table = TABLE_OF[e.eventType];
      if (table === undefined) continue;
      this.tables.get(table)!.push(e);
      written++;
      if (e.eventType === EventType.TRADE_EXECUTION && e.pnl !== null) this.realized.set(e, e.pnl);
    }
    return written;
  }

  query<K extends StoredKind>(kind: K, q: NormalizedQuery): StoredEventByKind[K][] {
    return newestMatches<StoredEventByKind[K]>(this.tables.get(KIND_TABLE[kind])!, EVENT_TYPE_OF[kind], q);
  }

  analytics(): AnalyticsQueries {
    return this.analytics_;
  }

  /** Realized P&L stored with a trade (caller's or ledger's), or null. */
  realizedPnlOf(trade: TradeEvent): number | null {
    return this.realized.get(trade) ?? null;
  }

  /** None: nothing outlives the process, and the live ledger keeps its own positions across a stop and start. */
  positions(): Position[] {
    return [];
  }

  lastBalance(): BalanceState | null {
    return this.balance;
  }

  lastGrowthBefore(hourStart: number): GrowthEvent | null {
    let best: GrowthEvent | null = null;
    for (const e of this.tables.get('growth_metrics')! as GrowthEvent[]) {
      if (e.hourStart < hourStart && (best === null || e.hourStart >= best.hourStart)) best = e;
    }
    return best;
  }

  deleteOlderThan(table: TableName, cutoff: number, limit: number): number {
    const rows = this.tables.get(table)!;
    let removed = 0;
    const kept = rows.filter((e) => {
      if (removed < limit && e.timestamp < cutoff) {
        removed++;
        if (e.eventType === EventType.TRADE_EXECUTION) this.realized.delete(e);
        return false;
      }
      return true;
    });
    this.tables.set(table, kept);
    return removed;
  }

  counts(): TableCounts {
    const out = {} as Record<TableName, number>;
    for (const t of TABLES) out[t] = this.tables.get(t)!.length;
    return out;
  }

  bots(): string[] {
    return TABLES.some((t) => this.tables.get(t)!.length > 0) ? [this.bot] : [];
  }

  sizeBytes(): number {
    return 0;
  }

  afterFlush(): void {}

  optimize(): void {}

  close(): void {
    // History stays for a later start() of the same monitor: memory is the only copy.
    this.open_ = false;
  }
}
