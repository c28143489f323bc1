// The naive hand-written composition a user would write instead of this package: the baseline.

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import pino from 'pino';
import { migrate } from '../../src/store/schema.js';
import type { BenchTrade } from './shared.js';

/** Which parts of the composition are on; the anchors time each alone as well. */
export interface RawParts {
  otel: boolean;
  pino: boolean;
  sqlite: boolean;
}

export const ALL_PARTS: RawParts = { otel: true, pino: true, sqlite: true };

export function parseParts(text: string): RawParts {
  if (text === 'all') return { ...ALL_PARTS };
  const names = new Set(text.split(','));
  return { otel: names.has('otel'), pino: names.has('pino'), sqlite: names.has('sqlite') };
}

/** Rows per transaction, as in the anchor (590k rows/s batched). */
export const RAW_BATCH_ROWS = 1000;

type Row = [number, string, string, number, number, number, number, number, number, string, null, null, null, null, string];

export interface RawPipeline {
  logTrade(trade: BenchTrade): void;
  /** Writes the partial batch and the log buffer, as our `flush()` does. */
  flush(): void;
  /** Collect + Prometheus text serialisation of every series (what a scrape costs). */
  scrape(): Promise<string>;
  rowCount(): number;
  close(): Promise<void>;
}

/**
 * Builds the baseline in `dir`:
 * - OTel: a MeterProvider with a PrometheusExporter reader (no server), 5 instruments (trades,
 *   volume and fees counters, execution-time and slippage histograms), updated with a
 *   `{ symbol, side }` attribute object built per call.
 * - pino to `dir/raw.log` through `pino.destination({ sync: false })`, one `info` line of the
 *   trade's 10 fields per trade.
 * - better-sqlite3 in WAL mode, `synchronous = NORMAL`, our exact schema (same columns and
 *   indexes, created by our migrations), one prepared INSERT of the same 15 columns per row,
 *   1,000 rows per transaction. SQLite's default auto-checkpoint is left on, as a naive user would.
 */
export async function createRawPipeline(dir: string, parts: RawParts = ALL_PARTS): Promise<RawPipeline> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const serializer = new PrometheusSerializer();
  const meter = provider.getMeter('raw-bench');
  const tradesTotal = meter.createCounter('trades_total');
  const volumeTotal = meter.createCounter('trade_volume_total');
  const feesTotal = meter.createCounter('trade_fees_total');
  const executionTime = meter.createHistogram('trade_execution_time_ms');
  const slippage = meter.createHistogram('trade_slippage_bps');

  const destination = pino.destination({ dest: join(dir, 'raw.log'), sync: false });
  await once(destination, 'ready');
  const logger = pino({ base: { bot: 'bench' } }, destination);

  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  const insert = db.prepare(
    `INSERT INTO trades (timestamp, symbol, side, quantity, price, notional_value, fee, execution_time_ms, slippage_bps,
      execution_id, order_id, realized_pnl, pnl_source, additional_data, bot) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertMany = db.transaction((rows: Row[]) => {
    for (const r of rows) insert.run(r);
  });
  let batch: Row[] = [];

  const { otel, pino: log, sqlite } = parts;
  return {
    logTrade(t: BenchTrade): void {
      const timestamp = Date.now();
      const executionId = randomUUID();
      const notionalValue = t.quantity * t.price;
      if (otel) {
        const attributes = { symbol: t.symbol, side: t.side };
        tradesTotal.add(1, attributes);
        volumeTotal.add(notionalValue, attributes);
        feesTotal.add(t.fee, attributes);
        executionTime.record(t.executionTimeMs, attributes);
        slippage.record(t.slippageBps, attributes);
      }
      if (log) {
        logger.info(
          {
            timestamp,
            symbol: t.symbol,
            side: t.side,
            quantity: t.quantity,
            price: t.price,
            notionalValue,
            fee: t.fee,
            executionTimeMs: t.executionTimeMs,
            slippageBps: t.slippageBps,
            executionId,
          },
          'trade executed',
        );
      }
      if (sqlite) {
        batch.push([
          timestamp,
          t.symbol,
          t.side,
          t.quantity,
          t.price,
          notionalValue,
          t.fee,
          t.executionTimeMs,
          t.slippageBps,
          executionId,
          null,
          null,
          null,
          null,
          'bench',
        ]);
        if (batch.length >= RAW_BATCH_ROWS) {
          insertMany(batch);
          batch = [];
        }
      }
    },
    flush(): void {
      if (batch.length > 0) {
        insertMany(batch);
        batch = [];
      }
      destination.flushSync();
    },
    async scrape(): Promise<string> {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    rowCount(): number {
      return (db.prepare('SELECT count(*) AS n FROM trades').get() as { n: number }).n;
    },
    async close(): Promise<void> {
      destination.flushSync();
      destination.end();
      db.close();
      await provider.shutdown();
    },
  };
}
