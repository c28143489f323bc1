// Trial: the bot's event-loop delay while 30 /api/trading and 30 /api/export requests run at once over N stored trades.

import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import {
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
  constants as perfConstants,
  performance,
} from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { HttpServer } from '../../src/http/HttpServer.js';
import { generateHistory } from './history.js';
import { startOurMonitor } from './ourMonitor.js';
import { fail, numArg, report, strArg, tempDir, tradePool } from './shared.js';

const n = numArg('n', 300_000);
const days = numArg('days', 30);
const each = numArg('each', 30);
const limit = numArg('limit', 8);
// `ours`: the monitor's own API (reader thread). `inprocess`: the same views computed and
// stringified on the bot's thread, as the API did before the reader thread. `idle`: no request,
// the bot alone for `idleMs`: the floor the machine's load sets.
const mode = strArg('mode', 'ours');
const idleMs = numArg('idleMs', 3000);
// `--profile=file.cpuprofile`: a CPU profile of the bot's thread over the burst (what blocks it), for `--mode=ours`.
const profile = strArg('profile', '');

interface Answer {
  readonly status: number;
  readonly bytes: number;
}

/**
 * The clients, on a thread of their own: their sockets and parsing must not be counted as the
 * bot's work. Sends every URL at once (a new connection each) and answers with the statuses and sizes.
 */
const CLIENTS = `
const { parentPort } = require('node:worker_threads');
const { Agent, get } = require('node:http');
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
const fetchAll = (url) => new Promise((resolve, reject) => {
  get(url, { agent }, (res) => {
    let bytes = 0;
    res.on('data', (d) => { bytes += d.length; });
    res.on('end', () => resolve({ status: res.statusCode, bytes }));
    res.on('error', reject);
  }).on('error', reject);
});
parentPort.on('message', (urls) => Promise.all(urls.map(fetchAll)).then((a) => parentPort.postMessage(a), (e) => parentPort.postMessage(String(e))));
`;

function clientsFetch(clients: Worker, urls: string[]): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    clients.once('message', (answers: Answer[] | string) => (typeof answers === 'string' ? reject(new Error(answers)) : resolve(answers)));
    clients.postMessage(urls);
  });
}

/**
 * CPU time of this process's main thread (the bot's), in ms, from Linux's per-thread counters (10 ms
 * ticks): unlike the event-loop delay, it does not grow when other processes take the machine's cores.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** CPU time of the calling thread in ns (Linux: /proc/thread-self/schedstat, nanosecond resolution), or null. */
function threadCpuNs(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

/**
 * The most CPU the bot's thread spent between two ticks of a 1 ms timer: the longest stretch it was
 * kept from its timers by work of its own, which (unlike the event-loop delay) time spent waiting
 * for a core on a loaded machine does not inflate. Stopped by the returned function.
 */
function cpuStretches(): () => { maxMs: number; p99Ms: number } | null {
  let last = threadCpuNs();
  if (last === null) return () => null;
  const stretches: number[] = [];
  const timer = setInterval(() => {
    const now = threadCpuNs()!;
    stretches.push(now - last!);
    last = now;
  }, 1);
  return () => {
    clearInterval(timer);
    stretches.sort((a, b) => a - b);
    return {
      maxMs: (stretches.at(-1) ?? 0) / 1e6,
      p99Ms: (stretches[Math.floor(stretches.length * 0.99)] ?? 0) / 1e6,
    };
  };
}

const tmp = tempDir(`api-${mode}`);
try {
  const generateMs = generateHistory(join(tmp.dir, 'ours.db'), Date.now(), n, days, 20);
  const ours = await startOurMonitor(tmp.dir, { metricsRetentionDays: 3650, apiMaxConcurrentRequests: limit });
  const { monitor } = ours;
  let base = ours.metricsUrl!.replace(/\/metrics$/, '');
  let inProcess: HttpServer | null = null;
  if (mode === 'inprocess') {
    const json = (body: string) => ({ status: 200, contentType: 'application/json; charset=utf-8', body });
    inProcess = new HttpServer({ port: 0 })
      .route('/api/trading', () => json(JSON.stringify(monitor.dashboardData.getTradingDashboard())))
      .route('/api/export', () => json(monitor.dashboardData.exportDashboardData('json')));
    await inProcess.start();
    base = inProcess.url!;
  } else if (mode !== 'ours' && mode !== 'idle') {
    fail(`unknown --mode=${mode}`);
  }
  // The bot: a 10 ms timer logging 10 trades a tick (1,000 trades/s) while the requests run.
  const pool = tradePool(20);
  let logged = 0;
  let ticks = 0;
  const bot = setInterval(() => {
    ticks++;
    for (let i = 0; i < 10; i++) monitor.logTrade(pool[logged++ & (pool.length - 1)]!);
  }, 10);
  const clients = new Worker(CLIENTS, { eval: true });
  // Warm-up (a reader thread started, code compiled), not measured.
  await clientsFetch(clients, [`${base}/api/trading`]);
  await clientsFetch(clients, [`${base}/api/export`]);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  // Garbage collections on the bot's thread over the burst: each one pauses it.
  const gcPauses: { ms: number; major: boolean }[] = [];
  const gcEntry = (entry: PerformanceEntry): void => {
    const kind = (entry.detail as { kind?: number } | null)?.kind;
    gcPauses.push({ ms: entry.duration, major: kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR });
  };
  const gc = new PerformanceObserver((list) => list.getEntries().forEach(gcEntry));
  gc.observe({ entryTypes: ['gc'] });
  const inspector = profile === '' ? null : new Session();
  if (inspector !== null) {
    inspector.connect();
    await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const ticksBefore = ticks;
  const cpu0 = mainThreadCpuMs();
  histogram.enable();
  const stopStretches = cpuStretches();
  const t0 = performance.now();
  const answers =
    mode === 'idle'
      ? await new Promise<Answer[]>((resolve) => setTimeout(() => resolve([]), idleMs))
      : await clientsFetch(clients, [...Array(each).fill(`${base}/api/trading`), ...Array(each).fill(`${base}/api/export`)]);
  const burstMs = performance.now() - t0;
  histogram.disable();
  const stretches = stopStretches();
  const cpu1 = mainThreadCpuMs();
  if (inspector !== null) {
    const { profile: taken } = await inspector.post('Profiler.stop');
    writeFileSync(profile, JSON.stringify(taken));
    inspector.disconnect();
  }
  gc.takeRecords().forEach(gcEntry);
  gc.disconnect();
  clearInterval(bot);
  const burstTicks = ticks - ticksBefore;
  await clients.terminate();
  await inProcess?.stop();
  await monitor.stop();
  const ok = answers.filter((a) => a.status === 200).length;
  const refused = answers.filter((a) => a.status === 503).length;
  const result = {
    p50Ms: histogram.percentile(50) / 1e6,
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    cpuStretchMaxMs: stretches?.maxMs ?? null,
    cpuStretchP99Ms: stretches?.p99Ms ?? null,
    burstMs,
    mainCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
    answered200: ok,
    refused503: refused,
    // A 10 ms timer over the burst should tick about burstMs / 10 times.
    tickRatio: burstTicks / Math.max(1, burstMs / 10),
    gcCount: gcPauses.length,
    gcMajor: gcPauses.filter((p) => p.major).length,
    gcMaxMs: Math.max(0, ...gcPauses.map((p) => p.ms)),
    gcTotalMs: gcPauses.reduce((a, p) => a + p.ms, 0),
    tradingBytes: answers[0]?.bytes ?? null,
    exportBytes: answers.at(-1)?.bytes ?? null,
    trades: n,
    limit,
    generateMs,
  };
  if (ok + refused !== answers.length) fail(`unexpected statuses ${answers.map((a) => a.status).join(',')}`, result);
  report(result);
} finally {
  tmp.remove();
}
