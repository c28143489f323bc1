// One writer per bot name: a second live process writing the same bot to one database (or file folder) is refused; a killed one's lease is taken over.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { MonitoringSystem } from '../../src/MonitoringSystem.js';
import { monitorAt, tempDirs } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('../fixtures/store/lease-child.ts', import.meta.url));

const dirs = tempDirs();
const children: ChildProcess[] = [];
const open: MonitoringSystem[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.stop().catch(() => undefined);
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  dirs.cleanup();
});

/** Starts a child process writing `bot` to `path`; resolves with its first line once it has started (or was refused). */
type Kind = 'sqlite' | 'file';

function storage(kind: Kind, path: string) {
  return kind === 'file' ? { storage: 'file' as const, storagePath: path } : { storage: 'sqlite' as const, dbUrl: `sqlite:///${path}` };
}

function child(kind: Kind, path: string, bot: string): { proc: ChildProcess; line: Promise<string>; exited: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, POSEIDON_TEST_DB: path, POSEIDON_TEST_BOT: bot, POSEIDON_TEST_STORAGE: kind },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  const line = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    exited.then(() => reject(new Error(`child exited without a line: ${stderr}`)));
  });
  return { proc, line, exited };
}

async function startedAs(kind: Kind, path: string, botName: string): Promise<MonitoringSystem> {
  const m = monitorAt(path, undefined, { botName, installSignalHandlers: false, ...storage(kind, path) });
  open.push(m);
  await m.start();
  return m;
}

describe.each(['sqlite', 'file'] as const)('one writer per bot name: %s', (kind) => {
  it('refuses a second live process on the same bot, lets another bot in, and takes over the lease of a SIGKILLed one', async () => {
    const path = join(dirs.make(), kind === 'file' ? 'history' : 'lease.db');
    const first = child(kind, path, 'alpha');
    expect(await first.line).toBe(`started ${first.proc.pid}`);

    // This test process is the second live process writing alpha.
    const second = monitorAt(path, undefined, { botName: 'alpha', installSignalHandlers: false, ...storage(kind, path) });
    open.push(second);
    await expect(second.start()).rejects.toThrow(
      new RegExp(`being written for bot "alpha" by process ${first.proc.pid} on .*: one process per bot name`),
    );
    // Another bot name shares the file.
    await (await startedAs(kind, path, 'beta')).stop();
    // A process that only looks at alpha's history (the CLI's report, export, serve) is let in beside it.
    const viewer = monitorAt(path, undefined, {
      botName: 'alpha',
      installSignalHandlers: false,
      writerLease: false,
      ...storage(kind, path),
    });
    open.push(viewer);
    await viewer.start();
    expect(viewer.getPositions()).toEqual([{ symbol: 'BTCUSDT', quantity: 1, averageCost: 100, realizedPnl: 0 }]);
    await viewer.stop();

    // A third process is refused the same way.
    const third = child(kind, path, 'alpha');
    expect(await third.line).toMatch(new RegExp(`^refused .*by process ${first.proc.pid} on `));

    first.proc.kill('SIGKILL');
    await first.exited;
    const after = await startedAs(kind, path, 'alpha');
    after.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 1, price: 110 });
    await after.flush();
    // The killed writer's position carried over: its buy and this one.
    expect(after.getPositions()).toEqual([{ symbol: 'BTCUSDT', quantity: 2, averageCost: 105, realizedPnl: 0 }]);
    await after.stop();
    // A stopped writer leaves no lease behind: the next start takes it at once.
    await (await startedAs(kind, path, 'alpha')).stop();
  }, 60_000);
});
