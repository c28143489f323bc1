// A bot process for the stack suites: a monitor serving /metrics on loopback, driven by JSON commands on stdin, killable for real.

import { createInterface } from 'node:readline';
import { ManualClock } from '../../src/clock.js';
import { MonitoringConfig } from '../../src/config/MonitoringConfig.js';
import { ErrorType } from '../../src/events/types.js';
import { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { QUIET_OPTIONS } from '../helpers/monitor.js';

/** What the test asks the bot to do; each command is answered with `ok` once done. */
export type BotCommand =
  | { readonly do: 'trades'; readonly n: number; readonly symbol?: string }
  | { readonly do: 'error'; readonly severity: 'low' | 'medium' | 'high' | 'critical' }
  /** A loop run, successful or not, dated by the bot's clock. */
  | { readonly do: 'loop'; readonly loop: string; readonly success: boolean }
  /** The bot's clock runs `ms` behind wall time (only ever less than before: a clock moves forward). */
  | { readonly do: 'lag'; readonly ms: number }
  | { readonly do: 'balance'; readonly value: number };

async function main(): Promise<void> {
  // The monitor's clock may run behind wall time (BOT_CLOCK_LAG_MS) so a loop run can be dated in the past: a stalled loop.
  let lag = Number(process.env.BOT_CLOCK_LAG_MS ?? 0);
  const clock = new ManualClock(Date.now() - lag);
  const catchUp = () => clock.advance(Math.max(0, Date.now() - lag - clock.now()));
  const monitor = new MonitoringSystem(
    MonitoringConfig.fromEnv(process.env, {
      ...QUIET_OPTIONS,
      // The port the test gives (a restarted bot comes back on its old one).
      metricsPort: Number(process.env.POSEIDON_METRICS_PORT ?? 0),
      enableMetricsServer: true,
      metricsHost: '127.0.0.1',
      clock,
    }),
  );
  await monitor.start();
  catchUp();
  process.stdout.write(`ready ${monitor.metricsUrl}\n`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const c = JSON.parse(line) as BotCommand;
    if (c.do === 'lag') lag = c.ms;
    catchUp();
    switch (c.do) {
      case 'trades':
        for (let i = 0; i < c.n; i++)
          monitor.logTrade({ symbol: c.symbol ?? 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', quantity: 1, price: 100 + i });
        break;
      case 'error':
        monitor.logError(`test ${c.severity} error`, { errorType: Object.values(ErrorType)[0], severity: c.severity });
        break;
      case 'loop':
        monitor.startLoopExecution(c.loop);
        monitor.endLoopExecution(c.loop, { success: c.success });
        break;
      case 'balance':
        monitor.updateAccountBalance(c.value);
        break;
      default:
        break;
    }
    process.stdout.write('ok\n');
  }
  await monitor.stop();
}

void main();
