// Test helper: runs a real Prometheus server on a loopback port with a temporary data dir, and queries its HTTP API.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './promtool.js';

/** A free TCP port on 127.0.0.1 (the OS picks it; it is released before returning). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One series of an instant query result. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** An alert as `/api/v1/alerts` lists it. */
export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
}

/** A rule as `/api/v1/rules` lists it. */
export interface PromRule {
  readonly name: string;
  readonly query: string;
  readonly type: 'alerting' | 'recording';
  readonly health: string;
  readonly lastError?: string;
}

/** The answer of an instant query: Prometheus' error, or the result vector. */
export type QueryOutcome = { readonly ok: true; readonly series: PromSample[] } | { readonly ok: false; readonly error: string };

/** A running Prometheus. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  /** Everything Prometheus wrote to stderr, for failure messages. */
  readonly log: () => string;
  /** Instant query, now or at `time` (epoch seconds); a parse or execution error comes back as `ok: false`, never thrown. */
  query(expr: string, time?: number): Promise<QueryOutcome>;
  /** Series matching a selector (`/api/v1/series`) over the last hour. */
  series(match: string): Promise<Record<string, string>[]>;
  alerts(): Promise<PromAlert[]>;
  rules(): Promise<PromRule[]>;
  /** Polls `check` until it returns true (Prometheus scrapes on its own schedule), or throws after `timeoutMs`. */
  waitFor(what: string, check: () => Promise<boolean>, timeoutMs?: number): Promise<void>;
  /** Stops the process and removes the data dir; safe to call twice. */
  stop(): Promise<void>;
}

/** A server process the tests started: its stderr, whether it exited, and a stop that also removes its directory. */
export interface ServerProcess {
  readonly log: () => string;
  readonly exited: () => boolean;
  /** SIGTERM (SIGKILL after 5 s), then removes `dir`; safe to call twice. */
  stop(): Promise<void>;
}

/** Spawns `binary` with `args`, stdout ignored and stderr kept; `dir` is its temporary directory. */
export function spawnServer(binary: string, args: readonly string[], dir: string): ServerProcess {
  let stderr = '';
  const child: ChildProcess = spawn(binary, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  let stopped = false;
  return {
    log: () => stderr,
    exited: () => exited,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!exited) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exit;
        clearTimeout(killTimer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The prometheus binary, or null when it is not installed (throws under CI, see findBinary). */
export function findPrometheus(): string | null {
  return findBinary('prometheus');
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

async function getJson(url: string): Promise<{ status: string; data?: unknown; error?: string }> {
  const response = await fetch(url);
  return (await response.json()) as { status: string; data?: unknown; error?: string };
}

/**
 * Starts `binary` with `configYaml` (written to a temp dir; relative paths in it are not resolved, so
 * give absolute ones) on a free loopback port, and waits until `/-/ready` answers. `extraArgs` go on its command line.
 */
export async function startPrometheus(
  binary: string,
  configYaml: string,
  readyTimeoutMs = 20_000,
  extraArgs: readonly string[] = [],
): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnServer(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...extraArgs,
    ],
    dir,
  );
  const { stop } = proc;

  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exited()) throw new Error(`prometheus exited while waiting for ${what}:\n${proc.log()}`);
      try {
        if (await check()) return;
      } catch {
        // not answering yet
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${proc.log()}`);
      await pause(200);
    }
  };

  const server: PrometheusServer = {
    url,
    dataDir: dir,
    log: proc.log,
    async query(expr, time) {
      const at = time === undefined ? '' : `&time=${time}`;
      const body = await getJson(`${url}/api/v1/query?query=${encodeURIComponent(expr)}${at}`);
      if (body.status !== 'success') return { ok: false, error: body.error ?? 'unknown error' };
      const data = body.data as { resultType: string; result: unknown };
      if (data.resultType === 'scalar') return { ok: true, series: [{ metric: {}, value: data.result as [number, string] }] };
      return { ok: true, series: data.result as PromSample[] };
    },
    async series(match) {
      const start = Math.floor(Date.now() / 1000) - 3600;
      const body = await getJson(`${url}/api/v1/series?match[]=${encodeURIComponent(match)}&start=${start}`);
      if (body.status !== 'success') throw new Error(`series ${match}: ${body.error}`);
      return body.data as Record<string, string>[];
    },
    async alerts() {
      const body = await getJson(`${url}/api/v1/alerts`);
      return (body.data as { alerts: PromAlert[] }).alerts;
    },
    async rules() {
      const body = await getJson(`${url}/api/v1/rules`);
      return (body.data as { groups: { rules: PromRule[] }[] }).groups.flatMap((g) => g.rules);
    },
    waitFor,
    stop,
  };

  try {
    await waitFor('prometheus to be ready', async () => (await fetch(`${url}/-/ready`)).ok, readyTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return server;
}
