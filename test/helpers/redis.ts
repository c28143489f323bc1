// Test helper: runs a real redis-server on a free loopback port with a temporary directory (AOF on), stopped or killed by its PID.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus.js';
import { findBinary } from './promtool.js';

/** The redis-server binary, or null when it is not installed (throws under CI, see findBinary). */
export function findRedisServer(): string | null {
  return findBinary('redis-server');
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>/0` */
  readonly url: string;
  readonly dir: string;
  readonly log: () => string;
  /** One command over a raw connection (inline protocol), its raw reply. */
  command(...args: string[]): Promise<string>;
  /** SIGKILL: the process dies at once, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (the AOF is replayed). */
  restart(): Promise<void>;
  /** Stops it and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `args` as one RESP command and resolves with the first reply's raw text. */
export function rawCommand(port: number, args: readonly string[], timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${args[0]} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('data', (d) => {
      text += d.toString();
      if (text.endsWith('\r\n')) {
        clearTimeout(timer);
        socket.end();
        resolve(text);
      }
    });
    socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
  });
}

/** Starts redis-server on a free loopback port, AOF on (`appendfsync everysec`), no RDB snapshots; `extra` go on its command line. */
export async function startRedis(binary: string, extra: readonly string[] = []): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let stdout = '';
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    const proc = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--daemonize', 'no', ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    proc.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr?.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        // A server with a password answers NOAUTH: listening all the same.
        if (/^(\+PONG|-NOAUTH)/.test(await rawCommand(port, ['PING']))) return;
      } catch {
        // not listening yet
      }
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${stdout}`);
      await pause(50);
    }
  };
  const kill = async (): Promise<void> => {
    if (child !== null && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  let stopped = false;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    log: () => stdout,
    command: (...args) => rawCommand(port, args),
    kill,
    restart: launch,
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await launch();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** What a {@link RedisProxy} does with the next traffic. */
export type ProxyMode =
  /** Forwards both ways. */
  | 'pass'
  /** Forwards commands; the server's next `count` answers are dropped, then the client's connection is closed (the commands ran, the client never knows). */
  | 'lose-answers'
  /** The client's next data is dropped and its connection closed (the commands never reach the server). */
  | 'lose-commands'
  /** New connections after the next `count` are closed at once, as by a server that is down; open ones go on. */
  | 'refuse-connections'
  /**
   * Of the next `total` commands, the first `count` go through and the others are held back; once all have come
   * and the first are answered, the client gets those answers and loses its connection. The held commands reach
   * the server later, late: right after the next `GET` of a bot's last batch token, on the client's new connection
   * (their answers dropped).
   */
  | 'delay-after';

/** A TCP proxy in front of a real redis-server, to lose, hold back or deliver late what passes, as a broken network does. */
export interface RedisProxy {
  readonly url: string;
  /** `count`: the answers to lose, the connections still let through, or the commands let through. Resolves once the proxy has it. */
  set(mode: ProxyMode, count?: number, total?: number): Promise<void>;
  /** Held commands delivered late so far, and how many of them the server applied (answered 0). */
  late(): Promise<{ injected: number; applied: number }>;
  close(): Promise<void>;
}

/** Starts a {@link RedisProxy} on a free loopback port forwarding to `port`, in a process of its own (a monitor's synchronous calls block the test's thread), stopped by its PID. */
export async function startRedisProxy(port: number): Promise<RedisProxy> {
  const script = fileURLToPath(new URL('./redis-proxy.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  let waiting: (() => void) | null = null;
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n')) {
      lines.push(text.slice(0, at));
      text = text.slice(at + 1);
    }
    waiting?.();
  });
  const nextLine = async (): Promise<string> => {
    const deadline = Date.now() + 10_000;
    while (lines.length === 0) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('redis proxy did not answer');
      await new Promise<void>((resolve) => {
        waiting = resolve;
        setTimeout(resolve, 100);
      });
    }
    return lines.shift()!;
  };
  const ask = async (line: string): Promise<{ injected: number; applied: number }> => {
    child.stdin!.write(`${line}\n`);
    const [ok, injected, applied] = (await nextLine()).split(' ');
    if (ok !== 'ok') throw new Error('redis proxy refused the mode');
    return { injected: Number(injected), applied: Number(applied) };
  };
  const proxyPort = Number(await nextLine());
  return {
    url: `redis://127.0.0.1:${proxyPort}/0`,
    async set(next, count = next === 'refuse-connections' ? 0 : 1, total = count) {
      await ask(`${next} ${count} ${total}`);
    },
    late: () => ask('report'),
    async close() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
