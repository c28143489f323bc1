// Test helper of the stack suites: starts bot processes (botProcess.ts), sends them commands, and kills them for real.

import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BotCommand } from './botProcess.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'botProcess.ts');

/** A running bot process. */
export interface BotProcess {
  readonly name: string;
  /** `127.0.0.1:<port>`, its Prometheus target. */
  readonly instance: string;
  /** Sends a command and waits until the bot has done it. */
  send(command: BotCommand): Promise<void>;
  /** SIGKILL: no shutdown of any kind, as a crash. */
  kill(): Promise<void>;
  /** Ends it gently (stdin closed), or kills it after 5 s; safe after kill. */
  stop(): Promise<void>;
}

/** Starts a bot named `name` serving /metrics on `port` (0: a free one); `env` adds POSEIDON_* settings. */
export async function startBot(name: string, port = 0, env: Record<string, string> = {}): Promise<BotProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { PATH: process.env.PATH, POSEIDON_BOT_NAME: name, POSEIDON_METRICS_PORT: String(port), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  const waiting: ((line: string) => void)[] = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => waiting.shift()?.(line));
  // Generous: starting means compiling TypeScript, slow on a busy machine.
  const nextLine = (what: string, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bot ${name}: no answer to ${what}\n${stderr}`)), timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
      void exited.then(() => reject(new Error(`bot ${name} exited before answering ${what}\n${stderr}`)));
    });
  const ready = await nextLine('start', 60_000);
  const url = /^ready (\S+)$/.exec(ready)?.[1];
  if (url === undefined) throw new Error(`bot ${name} said ${ready}\n${stderr}`);
  const end = async (signal: NodeJS.Signals | null): Promise<void> => {
    if (!alive) return;
    if (signal === null) child.stdin?.end();
    else child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    instance: new URL(url).host,
    async send(command) {
      const answer = nextLine(JSON.stringify(command));
      child.stdin?.write(`${JSON.stringify(command)}\n`);
      if ((await answer) !== 'ok') throw new Error(`bot ${name} failed ${JSON.stringify(command)}\n${stderr}`);
    },
    kill: () => end('SIGKILL'),
    stop: () => end(null),
  };
}
