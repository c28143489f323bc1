// /api/events is built on the bot's thread: its answer is bounded in size, keeping the newest events.

import { afterEach, describe, expect, it } from 'vitest';
import { API_LIMITS } from '../../src/analytics/ApiHandlers.js';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { createTestMonitor } from '../helpers/monitor.js';

let monitor: MonitoringSystem | undefined;

afterEach(async () => {
  await monitor?.stop();
  monitor = undefined;
});

describe('/api/events', () => {
  it('sends the newest events that fit in its character budget and says the rest were left out', async () => {
    const m = createTestMonitor({ enableMetricsServer: true });
    monitor = m;
    await m.start();
    // Each trade carries about 8,000 characters: 400 of them are well past the budget.
    const note = 'n'.repeat(8000);
    for (let i = 0; i < 400; i++) {
      m.logTrade({ symbol: 'BTC/USDT', side: 'buy', quantity: 1, price: 100 + i, fee: 0, additionalData: { i, note } });
    }
    const response = await fetch(`${m.baseUrl}/api/events?type=trade_execution&limit=10000`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.length).toBeLessThanOrEqual(API_LIMITS.maxEventsChars + 100);
    const body = JSON.parse(text) as { count: number; events: { additionalData: { i: number } }[]; truncated: boolean };
    expect(body.truncated).toBe(true);
    expect(body.count).toBe(body.events.length);
    expect(body.count).toBeGreaterThan(200);
    expect(body.count).toBeLessThan(400);
    // Newest first, none skipped.
    expect(body.events.map((e) => e.additionalData.i)).toEqual(Array.from({ length: body.count }, (_, k) => 399 - k));

    const few = (await (await fetch(`${m.baseUrl}/api/events?type=trade_execution&limit=3`)).json()) as typeof body;
    expect(few.truncated).toBe(false);
    expect(few.events.map((e) => e.additionalData.i)).toEqual([399, 398, 397]);
  });
});
