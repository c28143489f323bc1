// MonitorState: what the facade keeps between calls (running, balance, loop runs, positions and their marks), read elsewhere through MonitorStateView.

import { PnlLedger } from '../analytics/PnlLedger.js';
import type { Clock } from '../clock.js';
import { type LoopRun, LoopRuns } from './LoopRuns.js';

/** One open position marked to market. */
export interface MarkedPosition {
  readonly symbol: string;
  readonly quantity: number;
  readonly averageCost: number;
  readonly markPrice: number | null;
  readonly unrealizedPnl: number;
}

/** What `getUnrealizedPnl()` reports. */
export interface UnrealizedPnl {
  readonly total: number;
  readonly bySymbol: readonly MarkedPosition[];
}

/**
 * The monitor's live state, read-only: what dashboards, growth tracking and telemetry read at the
 * moment they need it, instead of calling back into the facade.
 */
export interface MonitorStateView {
  /** True between `start()` and `stop()`. */
  readonly running: boolean;
  /** When the monitor started (epoch ms), or null. */
  readonly startedAt: number | null;
  /** Seconds since start while running, else 0. */
  uptimeSeconds(): number;
  /** Number of loop runs in progress. */
  readonly activeExecutionCount: number;
  /** Loop runs in progress, oldest first. */
  activeLoops(): LoopRun[];
  /** Names of the loops with a run in progress. */
  activeLoopNames(): string[];
  /** The last account balance, or null before the first. */
  accountBalance(): number | null;
  /** Unrealized P&L of every open position at its last market price. */
  unrealizedPnl(): UnrealizedPnl;
  /** Account balance plus unrealized P&L; null before the first balance. */
  equity(): number | null;
}

/** The mutable state behind {@link MonitorStateView}; only the facade writes it. */
export class MonitorState implements MonitorStateView {
  running = false;
  startedAt: number | null = null;
  balance: number | null = null;
  readonly ledger = new PnlLedger();
  readonly loops = new LoopRuns();

  constructor(private readonly clock: Clock) {}

  uptimeSeconds(): number {
    return this.running && this.startedAt !== null ? Math.max(0, (this.clock.now() - this.startedAt) / 1000) : 0;
  }

  get activeExecutionCount(): number {
    return this.loops.size;
  }

  activeLoops(): LoopRun[] {
    return this.loops.list();
  }

  activeLoopNames(): string[] {
    return this.loops.names();
  }

  accountBalance(): number | null {
    return this.balance;
  }

  unrealizedPnl(): UnrealizedPnl {
    let total = 0;
    const bySymbol: MarkedPosition[] = [];
    for (const p of this.ledger.positionsList()) {
      if (p.quantity === 0) continue;
      const mark = this.ledger.markOf(p.symbol);
      const unrealizedPnl = mark === null ? 0 : this.ledger.unrealizedPnl(p.symbol, mark);
      total += unrealizedPnl;
      bySymbol.push({ symbol: p.symbol, quantity: p.quantity, averageCost: p.averageCost, markPrice: mark, unrealizedPnl });
    }
    return { total, bySymbol };
  }

  equity(): number | null {
    return this.balance === null ? null : this.balance + this.unrealizedPnl().total;
  }
}
