// Every event type written to a real log file, read back: the exact JSON fields and the exact text line.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/cli/demo/SeededRandom.js';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { buildTrade } from '../../src/events/build.js';
import { EventType, type MonitorEvent } from '../../src/events/types.js';
import { LineFormatter } from '../../src/logging/LineFormatter.js';
import { LogSink } from '../../src/logging/LogSink.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { fileMonitor, linesOf, recordsOf, T0, tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** One of each of the eight event types (plus a failed loop and two balance updates), on the manual clock. Returns the error's id. */
async function logEveryEventType(monitor: MonitoringSystem, clock: ManualClock): Promise<string> {
  await monitor.start();
  monitor.updateAccountBalance(10000);
  monitor.logTrade({
    symbol: 'BTCUSDT',
    side: 'buy',
    quantity: 0.1,
    price: 45000,
    fee: 4.5,
    executionTimeMs: 150,
    slippageBps: 2.5,
    executionId: 'exec-1',
  });
  clock.advance(1000);
  monitor.logTrade({
    symbol: 'BTCUSDT',
    side: 'sell',
    quantity: 0.1,
    price: 46000,
    fee: 4.6,
    executionTimeMs: 120,
    slippageBps: -1,
    executionId: 'exec-2',
    orderId: 'ord-2',
    additionalData: { strategy: 'grid', levels: [1, 2] },
  });
  monitor.startLoopExecution('main', { executionId: 'loop-1' });
  clock.advance(1500);
  monitor.endLoopExecution('main', { tradesExecuted: 2 });
  monitor.startLoopExecution('main', { executionId: 'loop-2' });
  clock.advance(250);
  monitor.endLoopExecution('main', { success: false, errorMessage: 'exchange\ndown' });
  monitor.logLiquidityAnalysis({
    symbol: 'ETHUSDT',
    spread: 0.0002,
    bidSize: 12.5,
    askSize: 10,
    marketDepth: 500000,
    volatility24h: 0.025,
    volume24h: 1000000,
    bidPrice: 2999.5,
    askPrice: 3000.1,
  });
  const error = monitor.logError('order rejected: "size"', {
    errorType: 'order_rejected',
    severity: 'high',
    symbol: 'BTCUSDT',
    loopName: 'main',
    stackTrace: 'Error: x\n    at y',
    context: { orderId: 'o-9' },
  });
  monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds', { endpoint: '/order' });
  monitor.updateAccountBalance(10100);
  clock.advanceTo(T0 + 3_600_000);
  await monitor.stop();
  return error.errorId;
}

const bot = 'test-bot';

describe('JSON lines', () => {
  it('write every event type with time, level, event_type, msg, bot and its own fields in snake_case', async () => {
    const file = join(tmp.dir, 'logs', 'bot.log');
    const { monitor, clock } = fileMonitor(file, { logFormat: 'json', enableHourlyGrowth: true });
    const errorId = await logEveryEventType(monitor, clock);
    const records = recordsOf(file);
    for (const r of records) expect(Object.keys(r).slice(0, 5)).toEqual(['time', 'level', 'event_type', 'msg', 'bot']);
    expect(records).toEqual([
      {
        time: '2026-11-24T10:00:00.000Z',
        level: 'INFO',
        event_type: 'system_event',
        msg: 'monitoring system started',
        bot,
        kind: 'monitor_started',
        data: null,
      },
      {
        time: '2026-11-24T10:00:00.000Z',
        level: 'DEBUG',
        event_type: 'system_event',
        msg: 'account balance updated',
        bot,
        kind: 'balance_updated',
        data: { balance: 10000, previousBalance: null },
      },
      {
        time: '2026-11-24T10:00:00.000Z',
        level: 'INFO',
        event_type: 'trade_execution',
        msg: 'trade executed',
        bot,
        symbol: 'BTCUSDT',
        side: 'buy',
        quantity: 0.1,
        price: 45000,
        notional_value: 4500,
        fee: 4.5,
        execution_time_ms: 150,
        slippage_bps: 2.5,
        execution_id: 'exec-1',
        order_id: null,
        pnl: null,
        additional_data: null,
      },
      {
        time: '2026-11-24T10:00:01.000Z',
        level: 'INFO',
        event_type: 'trade_execution',
        msg: 'trade executed',
        bot,
        symbol: 'BTCUSDT',
        side: 'sell',
        quantity: 0.1,
        price: 46000,
        notional_value: 4600,
        fee: 4.6,
        execution_time_ms: 120,
        slippage_bps: -1,
        execution_id: 'exec-2',
        order_id: 'ord-2',
        pnl: null,
        additional_data: { strategy: 'grid', levels: [1, 2] },
      },
      {
        // Average cost: (46000 − 45000) × 0.1 − 4.5 − 4.6 in fees.
        time: '2026-11-24T10:00:01.000Z',
        level: 'INFO',
        event_type: 'profit_loss',
        msg: 'profit/loss realized',
        bot,
        symbol: 'BTCUSDT',
        execution_id: 'exec-2',
        realized_pnl: 90.9,
        position_quantity: 0,
        average_cost: 0,
        cumulative_realized_pnl: 90.9,
      },
      {
        time: '2026-11-24T10:00:02.500Z',
        level: 'INFO',
        event_type: 'loop_execution',
        msg: 'loop execution finished',
        bot,
        loop_name: 'main',
        execution_id: 'loop-1',
        start_time: '2026-11-24T10:00:01.000Z',
        end_time: '2026-11-24T10:00:02.500Z',
        duration_ms: 1500,
        success: true,
        trades_executed: 2,
        error_message: null,
        additional_data: null,
      },
      {
        time: '2026-11-24T10:00:02.750Z',
        level: 'WARNING',
        event_type: 'loop_execution',
        msg: 'loop execution failed',
        bot,
        loop_name: 'main',
        execution_id: 'loop-2',
        start_time: '2026-11-24T10:00:02.500Z',
        end_time: '2026-11-24T10:00:02.750Z',
        duration_ms: 250,
        success: false,
        trades_executed: 0,
        error_message: 'exchange\ndown',
        additional_data: null,
      },
      {
        time: '2026-11-24T10:00:02.750Z',
        level: 'INFO',
        event_type: 'liquidity_analysis',
        msg: 'liquidity snapshot',
        bot,
        symbol: 'ETHUSDT',
        spread: 0.0002,
        bid_size: 12.5,
        ask_size: 10,
        market_depth: 500000,
        volatility_24h: 0.025,
        volume_24h: 1000000,
        bid_price: 2999.5,
        ask_price: 3000.1,
      },
      {
        time: '2026-11-24T10:00:02.750Z',
        level: 'ERROR',
        event_type: 'error_event',
        msg: 'order rejected: "size"',
        bot,
        error_id: errorId,
        error_type: 'order_rejected',
        severity: 'high',
        symbol: 'BTCUSDT',
        loop_name: 'main',
        stack_trace: 'Error: x\n    at y',
        context: { orderId: 'o-9' },
      },
      {
        time: '2026-11-24T10:00:02.750Z',
        level: 'DEBUG',
        event_type: 'performance_metric',
        msg: 'performance metric',
        bot,
        metric_name: 'api_response_time',
        value: 120.5,
        unit: 'milliseconds',
        tags: { endpoint: '/order' },
      },
      {
        time: '2026-11-24T10:00:02.750Z',
        level: 'DEBUG',
        event_type: 'system_event',
        msg: 'account balance updated',
        bot,
        kind: 'balance_updated',
        data: { balance: 10100, previousBalance: 10000 },
      },
      {
        time: '2026-11-24T11:00:00.000Z',
        level: 'INFO',
        event_type: 'growth_tracking',
        msg: 'hourly growth',
        bot,
        hour_start: '2026-11-24T10:00:00.000Z',
        opening_balance: 10000,
        closing_balance: 10100,
        growth_ratio: 0.01,
        trade_count: 2,
        realized_pnl: 90.9,
        fees: 9.1,
        volume: 9100,
        opening_equity: 10000,
        closing_equity: 10100,
        equity_growth_ratio: 0.01,
      },
      {
        time: '2026-11-24T11:00:00.000Z',
        level: 'INFO',
        event_type: 'system_event',
        msg: 'monitoring system stopped',
        bot,
        kind: 'monitor_stopped',
        data: { uptimeSeconds: 3600 },
      },
    ]);
  });

  it('carry strategy and exchange when they are set', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor } = fileMonitor(file, { strategy: 'grid', exchange: 'binance' });
    await monitor.start();
    await monitor.stop();
    expect(recordsOf(file)[0]).toMatchObject({ bot, strategy: 'grid', exchange: 'binance' });
  });
});

describe('text lines', () => {
  it('write every event type as one human line each, line breaks in messages escaped', async () => {
    const file = join(tmp.dir, 'bot.log');
    const { monitor, clock } = fileMonitor(file, { logFormat: 'text', enableHourlyGrowth: true });
    await logEveryEventType(monitor, clock);
    expect(linesOf(file)).toEqual([
      '2026-11-24T10:00:00.000Z INFO  system monitor_started: monitoring system started',
      '2026-11-24T10:00:00.000Z DEBUG system balance_updated: account balance updated {"balance":10000,"previousBalance":null}',
      '2026-11-24T10:00:00.000Z INFO  trade BTCUSDT buy 0.1 @ 45000 fee 4.5 exec 150ms slip 2.5bps',
      '2026-11-24T10:00:01.000Z INFO  trade BTCUSDT sell 0.1 @ 46000 fee 4.6 exec 120ms slip -1bps order ord-2 {"strategy":"grid","levels":[1,2]}',
      '2026-11-24T10:00:01.000Z INFO  pnl BTCUSDT realized 90.9 position 0 avg 0 total 90.9',
      '2026-11-24T10:00:02.500Z INFO  loop main ok 1500ms trades 2',
      '2026-11-24T10:00:02.750Z WARNING loop main failed 250ms trades 0: exchange\\ndown',
      '2026-11-24T10:00:02.750Z INFO  liquidity ETHUSDT spread 0.0002 bid 12.5 ask 10 depth 500000 vol24h 0.025 volume24h 1000000 bid_price 2999.5 ask_price 3000.1',
      '2026-11-24T10:00:02.750Z ERROR error order_rejected high symbol BTCUSDT loop main: order rejected: "size" {"orderId":"o-9"}',
      '2026-11-24T10:00:02.750Z DEBUG metric api_response_time 120.5 milliseconds {"endpoint":"/order"}',
      '2026-11-24T10:00:02.750Z DEBUG system balance_updated: account balance updated {"balance":10100,"previousBalance":10000}',
      '2026-11-24T11:00:00.000Z INFO  growth 2026-11-24T10:00:00.000Z 10000 -> 10100 ratio 0.01 trades 2 pnl 90.9 fees 9.1 volume 9100',
      '2026-11-24T11:00:00.000Z INFO  system monitor_stopped: monitoring system stopped {"uptimeSeconds":3600}',
    ]);
  });
});

describe('both', () => {
  it('writes JSON lines to the file and text lines to the console', async () => {
    const file = join(tmp.dir, 'bot.log');
    let consoleText = '';
    const config = new MonitoringConfig({ logFile: file, logFormat: 'both', botName: bot, clock: new ManualClock(T0) });
    const sink = new LogSink({ config, console: { write: (chunk: string) => (consoleText += chunk) } });
    sink.start();
    sink.record(
      buildTrade(
        { symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45000, fee: 4.5, executionTimeMs: 150, slippageBps: 2.5, executionId: 'e' },
        T0,
      ),
    );
    await sink.stop();
    expect(consoleText).toBe('2026-11-24T10:00:00.000Z INFO  trade BTCUSDT buy 0.1 @ 45000 fee 4.5 exec 150ms slip 2.5bps\n');
    expect(recordsOf(file)).toEqual([expect.objectContaining({ event_type: 'trade_execution', symbol: 'BTCUSDT', execution_id: 'e' })]);
  });
});

describe('numbers in log lines', () => {
  it('are written exactly as String() writes them, in JSON and text lines, for every kind of double', () => {
    const formatter = new LineFormatter({ bot: 'b', strategy: '', exchange: '' });
    const random = new SeededRandom(7);
    const values = [1, 0.1, 45_000.5, 1e21, 1.5e-7, 123_456_789.123, 1e300, 9.999999999999999e299, Number.MIN_VALUE, 2 ** 53 + 2];
    for (let i = 0; i < 500; i++) values.push(random.next() * 10 ** Math.floor(random.next() * 30 - 10));
    for (const v of values) {
      // Quantity and price apart, so their product (the notional) stays finite.
      const trade = buildTrade({ symbol: 'S', side: 'buy', quantity: v, price: 1, fee: v, slippageBps: -v, executionId: 'e' }, T0);
      const priced = buildTrade({ symbol: 'S', side: 'buy', quantity: 1, price: v, executionId: 'e' }, T0);
      const record = JSON.parse(formatter.json(trade, 20));
      expect([record.quantity, record.notional_value, record.fee, record.slippage_bps]).toEqual([v, v, v, -v]);
      expect(formatter.json(trade, 20)).toContain(`"quantity":${String(v)},"price":1,"notional_value":${String(v)},"fee":${String(v)}`);
      expect(formatter.json(priced, 20)).toContain(`"quantity":1,"price":${String(v)},`);
      expect(formatter.text(trade, 20)).toContain(`trade S buy ${String(v)} @ 1 fee ${String(v)}`);
      expect(formatter.text(priced, 20)).toContain(`trade S buy 1 @ ${String(v)} fee 0`);
    }
    // -0 is written as 0 by both.
    const negativeZero = buildTrade({ symbol: 'S', side: 'buy', quantity: 1, price: 1, slippageBps: -0, executionId: 'e' }, T0);
    expect(formatter.json(negativeZero, 20)).toContain('"slippage_bps":0,');
  });

  it('that are not finite keep a JSON line valid (null) and read as themselves on a text line', () => {
    const formatter = new LineFormatter({ bot: 'b', strategy: '', exchange: '' });
    const growth = {
      eventType: EventType.GROWTH_TRACKING,
      timestamp: T0,
      hourStart: T0,
      openingBalance: 0,
      closingBalance: 10,
      growthRatio: Number.POSITIVE_INFINITY,
      tradeCount: 1,
      realizedPnl: Number.NaN,
      fees: 0,
      volume: Number.NEGATIVE_INFINITY,
      openingEquity: null,
      closingEquity: 10,
      equityGrowthRatio: null,
    } as unknown as MonitorEvent;
    const record = JSON.parse(formatter.json(growth, 20));
    expect([record.growth_ratio, record.realized_pnl, record.volume, record.opening_equity]).toEqual([null, null, null, null]);
    expect(formatter.text(growth, 20)).toContain('ratio Infinity trades 1 pnl NaN fees 0 volume -Infinity');
  });
});
