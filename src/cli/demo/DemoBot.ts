// DemoBot: a simulated trading bot that drives every recording API of the monitor, deterministically.

import { ErrorType } from '../../events/types.js';
import type { MonitoringSystem } from '../../MonitoringSystem.js';
import { MarketSimulator } from './MarketSimulator.js';
import { SeededRandom } from './SeededRandom.js';

/** Options of {@link DemoBot}. */
export interface DemoBotOptions {
  /** @default ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] */
  symbols?: readonly string[];
  /** Same seed, same number of iterations: the same trades, errors and snapshots. @default 42 */
  seed?: number;
  /** Quote-currency balance before the first trade. @default 10000 */
  startingBalance?: number;
  /** Simulated milliseconds between runs of the trading loop. @default 5000 */
  loopIntervalMs?: number;
  /** Simulated milliseconds between liquidity snapshots. @default the monitor's liquidity interval */
  liquidityIntervalMs?: number;
}

/** Running totals of a demo run, for the status line and the final summary. */
export interface DemoStats {
  readonly iterations: number;
  readonly failedIterations: number;
  readonly trades: number;
  readonly buys: number;
  readonly sells: number;
  readonly volume: number;
  readonly fees: number;
  readonly errors: number;
  readonly criticalErrors: number;
  readonly realizedPnl: number;
  readonly balance: number;
  readonly liquiditySnapshots: number;
}

/** The loop name the demo reports, as a bot would name its main loop. */
export const DEMO_LOOP_NAME = 'main_trading_loop';

const FEE_RATE = 0.001;
const TAKE_PROFIT = 0.005;
const STOP_LOSS = -0.006;
/** Buy when the price is this far (log ratio) below its fair value: the dip-buying signal. */
const DIP = -0.003;

interface Holding {
  /** Volume-weighted entry price, for the take-profit and stop-loss rules. */
  entryPrice: number;
}

/**
 * Each iteration advances the market by one loop interval, runs the loop through `trackLoop`,
 * buys dips below fair value (and now and then on a whim), closes on take profit, stop loss or a
 * change of mind, now and then hits a timeout, a rate limit or a rejected order, and finally
 * books the realized P&L into the account balance. Time only matters for scheduling: prices move per iteration, not per wall-clock
 * millisecond, so a run is reproducible from its seed whatever the speed.
 */
export class DemoBot {
  readonly symbols: readonly string[];
  readonly seed: number;
  readonly startingBalance: number;
  readonly loopIntervalMs: number;
  private readonly liquidityEvery: number;
  private readonly random: SeededRandom;
  private readonly market: MarketSimulator;
  private readonly holdings = new Map<string, Holding>();
  private timer: ReturnType<MonitoringSystem['config']['clock']['setTimeout']> | null = null;
  private inFlight: Promise<void> | null = null;
  private running = false;
  private nextRunAt = 0;
  private tradeSeq = 0;
  private counts = {
    iterations: 0,
    failedIterations: 0,
    trades: 0,
    buys: 0,
    sells: 0,
    volume: 0,
    fees: 0,
    errors: 0,
    criticalErrors: 0,
    liquiditySnapshots: 0,
  };

  constructor(
    private readonly monitor: MonitoringSystem,
    options: DemoBotOptions = {},
  ) {
    this.symbols = options.symbols ?? ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
    if (this.symbols.length === 0) throw new RangeError('the demo needs at least one symbol');
    this.seed = options.seed ?? 42;
    this.startingBalance = options.startingBalance ?? 10_000;
    this.loopIntervalMs = options.loopIntervalMs ?? 5_000;
    const liquidityMs = options.liquidityIntervalMs ?? monitor.config.liquidityIntervalMinutes * 60_000;
    this.liquidityEvery = Math.max(1, Math.round(liquidityMs / this.loopIntervalMs));
    this.random = new SeededRandom(this.seed);
    this.market = new MarketSimulator(this.symbols, this.random);
  }

  get stats(): DemoStats {
    return {
      ...this.counts,
      realizedPnl: this.monitor.totalRealizedPnl,
      balance: this.startingBalance + this.monitor.totalRealizedPnl,
    };
  }

  /** The simulated market price of `symbol`. */
  price(symbol: string): number {
    return this.market.price(symbol);
  }

  /** Sets the opening balance and runs the loop every `loopIntervalMs` on the monitor's clock. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.monitor.updateAccountBalance(this.startingBalance);
    this.nextRunAt = this.monitor.now() + this.loopIntervalMs;
    this.schedule();
  }

  /** Stops scheduling and waits for a loop run in progress. Safe to call twice. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.monitor.config.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private schedule(): void {
    if (!this.running) return;
    // Runs are due on a fixed grid, so a slow run or a coarse timer does not stretch the cadence.
    const delay = Math.max(0, this.nextRunAt - this.monitor.now());
    this.timer = this.monitor.config.clock.setTimeout(() => {
      this.timer = null;
      this.nextRunAt += this.loopIntervalMs;
      // Behind by more than a run (a paused process): skip ahead instead of bursting.
      if (this.nextRunAt < this.monitor.now()) this.nextRunAt = this.monitor.now() + this.loopIntervalMs;
      this.inFlight = this.runIteration().finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    }, delay);
  }

  /** Runs the trading loop once. Never throws: a failed run is recorded by `trackLoop` and counted. */
  async runIteration(): Promise<void> {
    const n = this.counts.iterations++;
    if (n === 0) this.monitor.updateAccountBalance(this.startingBalance);
    this.market.step(this.loopIntervalMs);
    if (n % this.liquidityEvery === 0) this.snapshotLiquidity();
    try {
      await this.monitor.trackLoop(DEMO_LOOP_NAME, (run) => this.trade(run), { executionId: `loop-${this.seed}-${n}` });
    } catch {
      this.counts.failedIterations++;
      this.counts.errors++; // trackLoop recorded it as a loop_error
    }
    for (const symbol of this.symbols) this.monitor.updateMarketPrice(symbol, this.market.price(symbol));
    this.monitor.updateAccountBalance(this.startingBalance + this.monitor.totalRealizedPnl);
  }

  private trade(run: { tradesExecuted: number }): void {
    const r = this.random;
    // Every loop asks the exchange for prices first; its latency is what `api_response_time` tracks.
    this.monitor.logPerformanceMetric('api_response_time', r.logNormal(Math.log(80), 0.5), 'milliseconds', { endpoint: 'ticker' });
    if (r.chance(0.01)) {
      this.error('GET /api/v3/ticker timed out after 10000 ms', ErrorType.NETWORK_TIMEOUT, 'medium', r.pick(this.symbols));
      return; // no prices this round
    }
    if (r.chance(0.004)) {
      this.error('429 Too Many Requests: request weight limit exceeded', ErrorType.API_RATE_LIMIT, 'low', null);
      return;
    }
    if (r.chance(0.0005)) {
      this.error('exchange connection lost: websocket closed with code 1006', ErrorType.CONNECTION_ERROR, 'critical', null);
      return;
    }
    if (r.chance(0.002)) throw new Error('order book snapshot out of sequence');
    for (const symbol of this.symbols) {
      const price = this.market.price(symbol);
      const held = this.holdings.get(symbol);
      if (held === undefined) {
        // Mostly buys dips, sometimes buys on a whim (and pays for it in fees).
        const p = this.market.deviation(symbol) < DIP ? 0.3 : 0.005;
        if (r.chance(p)) this.order(run, symbol, 'buy', (this.stats.balance * r.uniform(0.02, 0.08)) / price);
        continue;
      }
      const move = price / held.entryPrice - 1;
      if (move >= TAKE_PROFIT || move <= STOP_LOSS || r.chance(0.002)) {
        // Sometimes take half off the table, otherwise close the position.
        const open = this.openQuantity(symbol);
        if (r.chance(0.3)) this.order(run, symbol, 'sell', Number((open / 2).toPrecision(6)));
        else this.order(run, symbol, 'sell', open);
      } else if (this.market.deviation(symbol) < DIP && r.chance(0.02)) {
        this.order(run, symbol, 'buy', (this.stats.balance * r.uniform(0.01, 0.03)) / price);
      }
    }
  }

  /** The long position the monitor's ledger holds: selling exactly this closes it without dust. */
  private openQuantity(symbol: string): number {
    return this.monitor.getPositions().find((p) => p.symbol === symbol)?.quantity ?? 0;
  }

  /** Buys are rounded to six significant digits like exchange lot sizes; sells use the amount given. */
  private order(run: { tradesExecuted: number }, symbol: string, side: 'buy' | 'sell', rawQuantity: number): void {
    const r = this.random;
    const quantity = side === 'buy' ? Number(rawQuantity.toPrecision(6)) : rawQuantity;
    if (!(quantity > 0)) return;
    if (r.chance(0.02)) {
      this.error(
        `order rejected: ${side} ${quantity} ${symbol}: price outside the allowed band`,
        ErrorType.ORDER_REJECTED,
        'medium',
        symbol,
      );
      return;
    }
    // Slippage in basis points, mostly small and against us, sometimes an improvement.
    const slippageBps = r.normal(0.8, 2);
    const mid = this.market.price(symbol);
    const price = side === 'buy' ? mid * (1 + slippageBps / 10_000) : mid * (1 - slippageBps / 10_000);
    const notional = quantity * price;
    const fee = notional * FEE_RATE;
    const seq = this.tradeSeq++;
    this.monitor.logTrade({
      symbol,
      side,
      quantity,
      price,
      fee,
      executionTimeMs: r.logNormal(Math.log(150), 0.45),
      slippageBps,
      executionId: `trade-${this.seed}-${seq}`,
      orderId: `demo-${this.seed}-${seq}`,
    });
    run.tradesExecuted++;
    this.counts.trades++;
    this.counts.volume += notional;
    this.counts.fees += fee;
    const held = this.holdings.get(symbol);
    if (side === 'buy') {
      this.counts.buys++;
      const before = this.openQuantity(symbol) - quantity;
      if (held === undefined || before <= 0) this.holdings.set(symbol, { entryPrice: price });
      else held.entryPrice = (held.entryPrice * before + price * quantity) / (before + quantity);
    } else {
      this.counts.sells++;
      if (this.openQuantity(symbol) <= 0) this.holdings.delete(symbol);
    }
  }

  /** Records one order-book snapshot per symbol. */
  snapshotLiquidity(): void {
    for (const symbol of this.symbols) {
      const book = this.market.book(symbol);
      this.monitor.logLiquidityAnalysis({ symbol, ...book });
      this.counts.liquiditySnapshots++;
    }
  }

  private error(message: string, errorType: ErrorType, severity: 'low' | 'medium' | 'high' | 'critical', symbol: string | null): void {
    this.monitor.logError(message, {
      errorType,
      severity,
      loopName: DEMO_LOOP_NAME,
      ...(symbol === null ? {} : { symbol }),
    });
    this.counts.errors++;
    if (severity === 'critical') this.counts.criticalErrors++;
  }
}
