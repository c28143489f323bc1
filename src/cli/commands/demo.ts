// `poseidon-monitor demo`: a simulated bot, instrumented, with /metrics, the API and SQLite history live.

import { Command, Option } from 'commander';
import { MonitoringSystem } from '../../MonitoringSystem.js';
import { DemoBot } from '../demo/DemoBot.js';
import { ScaledClock } from '../demo/ScaledClock.js';
import { StatusLine } from '../demo/StatusLine.js';
import { type ConnectionFlags, configFrom, databaseDescription } from '../internal/openMonitor.js';
import { integerIn, numberIn, parseDuration, parseSymbols } from '../internal/parse.js';
import { renderPairs } from '../internal/table.js';
import { UsageError } from '../internal/UsageError.js';
import { untilStopped } from '../internal/untilStopped.js';

/** Flags of `demo`. */
export interface DemoFlags extends ConnectionFlags {
  /** Real milliseconds to run; null until Ctrl-C. */
  duration: number | null;
  speed: number;
  symbols: string[];
  seed: number;
  balance: number;
  loopInterval: number;
  status: boolean;
  /** History backend; undefined leaves POSEIDON_STORAGE (else sqlite). */
  storage?: 'sqlite' | 'memory' | 'file' | 'redis';
}

/** Clamps a simulated interval so that at any speed it is a sensible real interval and a valid setting. */
function scaled(baseMs: number, speed: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(baseMs * speed)));
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('run a simulated trading bot instrumented with the monitor (Ctrl-C stops it with a summary)')
    .addOption(
      new Option('--duration <time>', 'how long to run in real time: 30s, 10m, 1h, or unlimited')
        .argParser(parseDuration)
        .default(null, 'unlimited'),
    )
    .option(
      '--speed <factor>',
      'simulated time runs this many times faster (60: an hour per minute)',
      numberIn(0.1, 100_000, 'a speed'),
      60,
    )
    .addOption(
      new Option('--symbols <list>', 'comma-separated symbols to trade')
        .argParser(parseSymbols)
        .default(['BTCUSDT', 'ETHUSDT', 'SOLUSDT'], 'BTCUSDT,ETHUSDT,SOLUSDT'),
    )
    .option('--seed <n>', 'random seed: the same seed gives the same trades', integerIn(0, 2 ** 32 - 1, 'a seed'), 42)
    .option('--balance <usdt>', 'starting account balance', numberIn(100, 1e12, 'a balance'), 10_000)
    .option('--loop-interval <seconds>', 'simulated seconds between trading-loop runs', numberIn(0.1, 3600, 'an interval'), 5)
    .addOption(
      new Option(
        '--storage <kind>',
        'history backend (default: POSEIDON_STORAGE, else sqlite); file writes under POSEIDON_STORAGE_PATH, redis to POSEIDON_REDIS_URL',
      ).choices(['sqlite', 'memory', 'file', 'redis']),
    )
    .option('--db <file>', 'SQLite file for history (default: POSEIDON_DB_URL, else ./poseidon_metrics.db)')
    .option('--host <host>', 'interface for /metrics and the API (default: POSEIDON_METRICS_HOST, else 127.0.0.1)')
    .option(
      '--port <port>',
      'port for /metrics and the API; 0 picks a free one (default: POSEIDON_METRICS_PORT, else 9464)',
      integerIn(0, 65_535, 'a port'),
    )
    .option('--log-file <file>', 'log file; "" for none (default: POSEIDON_LOG_FILE, else logs/poseidon_monitor.log)')
    .option('--no-status', 'no live status line')
    .action(async (flags: DemoFlags) => {
      await runDemo({ ...flags, loopInterval: flags.loopInterval * 1000 });
    });
}

/** A started demo: its monitor (serving /metrics and the API) and its bot, not yet trading. */
export interface StartedDemo {
  readonly monitor: MonitoringSystem;
  readonly bot: DemoBot;
  readonly config: MonitoringSystem['config'];
}

/**
 * Starts the demo's monitor on a clock `flags.speed` times faster than real time (the simulated
 * history) and builds its bot; the caller starts the bot. Prints nothing.
 */
export async function startDemo(flags: DemoFlags): Promise<StartedDemo> {
  const env = process.env;
  const clock = new ScaledClock(flags.speed, Date.now());
  // The monitor's timers run on simulated time; scale them so a flush stays about one real second
  // apart and runtime samples about fifteen, unless the user set them explicitly.
  const config = configFrom(flags, {
    clock,
    ...(flags.storage === undefined ? {} : { storage: flags.storage }),
    installSignalHandlers: false, // this command handles Ctrl-C itself, with a summary
    // The status line owns the terminal; log lines go to the log file unless POSEIDON_LOG_CONSOLE asks for them.
    ...(env.POSEIDON_LOG_CONSOLE === undefined ? { logConsole: false } : {}),
    ...(env.POSEIDON_FLUSH_INTERVAL_MS === undefined ? { flushIntervalMs: scaled(1000, flags.speed, 10, 3_600_000) } : {}),
    ...(env.POSEIDON_METRICS_INTERVAL === undefined ? { metricsIntervalSeconds: scaled(15, flags.speed, 0.1, 86_400) } : {}),
  });
  const monitor = new MonitoringSystem(config);
  try {
    await monitor.start();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new UsageError(
        `cannot listen on ${config.metricsHost}:${config.metricsPort} (${String(code)}): pass --port 0 for a free port, or another --port`,
      );
    }
    throw error;
  }
  const bot = new DemoBot(monitor, {
    symbols: flags.symbols,
    seed: flags.seed,
    startingBalance: flags.balance,
    loopIntervalMs: flags.loopInterval,
  });
  return { monitor, bot, config };
}

/** Runs the demo until its duration ends or a signal arrives; prints the URLs first and a summary last. */
export async function runDemo(flags: DemoFlags): Promise<void> {
  const { monitor, bot, config } = await startDemo(flags);
  const out = process.stdout;
  const url = monitor.baseUrl;
  // The console first: it is what a new user opens.
  if (url !== null) out.write(`console: ${url}/\n`);
  out.write(
    `poseidon-monitor demo: ${flags.symbols.join(', ')} at ${flags.speed}x, seed ${flags.seed}, ` +
      `${flags.duration === null ? 'until Ctrl-C' : `for ${flags.duration / 1000}s`}\n`,
  );
  if (url !== null) {
    out.write(`metrics: ${url}/metrics\n`);
    out.write(`api: ${url}/api/summary\n`);
  } else {
    out.write('metrics: off (POSEIDON_METRICS_SERVER=false)\n');
  }
  out.write(`database: ${databaseDescription(config)}\n`);
  out.write(`logs: ${config.logFile ?? 'off'}\n`);

  const status = new StatusLine(out, () => {
    const s = bot.stats;
    return {
      now: monitor.now(),
      trades: s.trades,
      realizedPnl: s.realizedPnl,
      balance: s.balance,
      errors: s.errors,
      events: monitor.getSystemHealth().eventsRecorded,
    };
  });
  const simStart = monitor.now();
  bot.start();
  if (flags.status) status.start();
  const reason = await untilStopped(flags.duration);

  status.stop();
  out.write(`stopping (${reason === 'duration' ? 'duration reached' : reason}): flushing history…\n`);
  await bot.stop();
  await monitor.flush();
  const s = bot.stats;
  const db = monitor.getDatabaseStats();
  const simEnd = monitor.now();
  await monitor.stop();
  out.write(
    `${renderPairs([
      [
        'simulated',
        `${new Date(simStart).toISOString()} → ${new Date(simEnd).toISOString()} (${((simEnd - simStart) / 3_600_000).toFixed(2)} h)`,
      ],
      ['loop runs', `${s.iterations} (${s.failedIterations} failed)`],
      ['trades', s.trades],
      ['buys / sells', `${s.buys} / ${s.sells}`],
      ['volume', s.volume],
      ['fees', s.fees],
      ['realized P&L', s.realizedPnl],
      ['balance', `${s.balance.toFixed(2)} (started at ${flags.balance.toFixed(2)})`],
      ['errors', `${s.errors} (${s.criticalErrors} critical)`],
      ['liquidity snapshots', s.liquiditySnapshots],
      [
        'rows stored',
        Object.entries(db)
          .filter(([k]) => k !== 'db_size_bytes')
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ],
    ])}\n`,
  );
}
