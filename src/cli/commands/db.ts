// `poseidon-monitor db stats | cleanup`: row counts and size of the history database, and retention on demand.

import { Command } from 'commander';
import { systemClock } from '../../clock.js';
import { openStoredHistory } from '../internal/historyViews.js';
import { type ConnectionFlags, DB_OPTION, databaseDescription, openHistory } from '../internal/openMonitor.js';
import { numberIn, oneOf } from '../internal/parse.js';
import { renderTable } from '../internal/table.js';

export function dbCommand(): Command {
  const db = new Command('db').description('inspect or clean up the history database');
  db.command('stats')
    .description('rows per table and the size of the database')
    .option(...DB_OPTION)
    .option('--format <format>', 'table or json', oneOf(['table', 'json'] as const), 'table')
    .action((flags: ConnectionFlags & { format: 'table' | 'json' }) => {
      const { config, reader } = openStoredHistory(flags);
      try {
        const stats = { ...reader.counts(), db_size_bytes: reader.sizeBytes() };
        if (flags.format === 'json') {
          process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
          return;
        }
        const rows = Object.entries(stats)
          .filter(([k]) => k !== 'db_size_bytes')
          .map(([k, v]) => [k, v] as [string, number]);
        process.stdout.write(
          `${databaseDescription(config)}\n${renderTable(['table', 'rows'], rows)}\nsize ${(stats.db_size_bytes / 1024).toFixed(1)} KiB\n`,
        );
      } finally {
        reader.close();
      }
    });
  db.command('cleanup')
    .description('delete history older than N days (counted back from now)')
    .requiredOption('--days <n>', 'keep this many days', numberIn(0.001, 36_500, 'a number of days'))
    .option(...DB_OPTION)
    .action(async (flags: ConnectionFlags & { days: number }) => {
      const monitor = await openHistory(flags, systemClock);
      try {
        const result = await monitor.metricsCollector.cleanupOldData(flags.days);
        const rows = Object.entries(result.deleted).map(([k, v]) => [k, v] as [string, number]);
        process.stdout.write(
          `deleted ${result.total} rows older than ${new Date(result.cutoff).toISOString()}\n${renderTable(['table', 'deleted'], rows)}\n`,
        );
      } finally {
        await monitor.stop();
      }
    });
  return db;
}
