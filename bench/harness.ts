// The benchmark harness: declarative suites of trials, each round in fresh child processes, alternated.

import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX } from './trials/shared.js';

/** The repository root: children run from here so `--import tsx` and relative paths resolve. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the trials are compiled to (git- and biome-ignored); module resolution finds node_modules from here. */
export const BUILD_DIR = join(ROOT, '.tmp', 'bench-build');

/**
 * How children run. `compiled` (the default): the trials and the library are compiled once per run
 * with tsc into {@link BUILD_DIR} and run as plain JavaScript, as a bot runs the published package.
 * `tsx` (`--tsx`): `node --import tsx bench/trials/<script>`; tsx costs nothing per call but its
 * loader thread adds about 30 MB of RSS, which would distort the memory target.
 */
export type RunMode = 'compiled' | 'tsx';

export function runMode(): RunMode {
  return process.argv.includes('--tsx') ? 'tsx' : 'compiled';
}

let compiled: Promise<void> | null = null;

/**
 * Compiles every trial (and, through their imports, the library) once. Emits even when another
 * file of the tree has a type error, so a half-finished edit elsewhere does not stop the benchmarks.
 */
export function compileTrials(): Promise<void> {
  compiled ??= new Promise((resolve, reject) => {
    const trialsDir = join(ROOT, 'bench', 'trials');
    const roots = readdirSync(trialsDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(trialsDir, f));
    // Loaded by URL from a worker, not imported: named so they are compiled too.
    roots.push(join(ROOT, 'src', 'store', 'writerThread.ts'), join(ROOT, 'src', 'http', 'reader', 'readerThread.ts'));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = [
      '--outDir',
      BUILD_DIR,
      '--rootDir',
      ROOT,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
    ];
    flags.push('--lib', 'es2023,esnext.disposable', '--types', 'node', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule');
    execFile(process.execPath, [tsc, ...flags, ...roots], { cwd: ROOT }, (error, stdout) => {
      const missing = roots.find((r) => !existsSync(join(BUILD_DIR, relative(ROOT, r).replace(/\.ts$/, '.js'))));
      if (missing !== undefined) reject(new Error(`tsc emitted no ${missing}: ${error?.message ?? ''} ${stdout.slice(0, 2000)}`));
      else resolve();
    });
  });
  return compiled;
}

/** One child process running `bench/trials/<script>` with `--k=v…` arguments (see {@link RunMode}). */
export interface Trial {
  /** Column label, e.g. "ours" or "raw". */
  readonly label: string;
  /** File under bench/trials/. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Extra node flags, e.g. --expose-gc. */
  readonly nodeFlags?: readonly string[];
  /**
   * Run the whole process (every thread) on one CPU, with `taskset -c 0` (util-linux): what a
   * machine with one core would give. The trial fails when taskset cannot be run.
   */
  readonly oneCpu?: boolean;
}

/** A figure a trial reports in its result line. */
export interface Metric {
  readonly key: string;
  readonly unit: string;
  readonly digits?: number;
}

/** A target: a ratio of two trials' medians, or one trial's median against a bound. */
export type Bound =
  | {
      readonly kind: 'ratio';
      readonly name: string;
      readonly key: string;
      readonly ours: string;
      readonly baseline: string;
      /** Omitted: the ratio is printed for context, with no target. */
      readonly max?: number;
    }
  | {
      readonly kind: 'abs';
      readonly name: string;
      readonly key: string;
      readonly trial: string;
      readonly max?: number;
      readonly min?: number;
    };

export interface Suite {
  readonly id: string;
  readonly title: string;
  readonly rounds: number;
  readonly trials: readonly Trial[];
  readonly metrics: readonly Metric[];
  readonly bounds: readonly Bound[];
  /** Keys of non-numeric facts worth printing (sink list, series count…), taken from the last good round. */
  readonly facts?: readonly string[];
  /** What each trial does, baseline included, so a reader can judge the fairness of the comparison. */
  readonly notes?: readonly string[];
}

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export interface BoundResult {
  readonly name: string;
  readonly value: number | null;
  readonly limit: string;
  readonly met: boolean | null;
}

export interface SuiteResult {
  readonly id: string;
  readonly title: string;
  readonly rounds: number;
  readonly notes: readonly string[];
  /** trial label → metric key → summary over good rounds. */
  readonly figures: Record<string, Record<string, Summary>>;
  readonly facts: Record<string, Record<string, unknown>>;
  readonly failures: readonly { trial: string; round: number; message: string }[];
  readonly bounds: readonly BoundResult[];
}

/** Per child; a trial that hangs is killed and counted as failed rather than stalling the run. */
const CHILD_TIMEOUT_MS = 5 * 60_000;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Date, Node version, CPU model and cores: printed at the top of every run and written to the doc. */
export function machineFacts(): Record<string, string> {
  const c = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: String(c.length),
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

/** Runs one child and returns its parsed result line (or an `error` field). */
export async function runTrial(trial: Trial, mode: RunMode = runMode()): Promise<Record<string, unknown>> {
  if (mode === 'compiled') await compileTrials();
  const entry =
    mode === 'compiled'
      ? [join(BUILD_DIR, 'bench', 'trials', trial.script.replace(/\.ts$/, '.js'))]
      : ['--import', 'tsx', join('bench', 'trials', trial.script)];
  return new Promise((resolve) => {
    const argv = [...(trial.nodeFlags ?? []), ...entry, ...(trial.args ?? [])];
    const [command, commandArgs] = trial.oneCpu === true ? ['taskset', ['-c', '0', process.execPath, ...argv]] : [process.execPath, argv];
    const child = spawn(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', (error) => {
      err = `${command}: ${error.message}`;
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(RESULT_PREFIX));
      let result: Record<string, unknown> | null = null;
      if (line !== undefined) {
        try {
          result = JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>;
        } catch {
          result = null;
        }
      }
      if (result === null) {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        result = { error: `${why}, no result line; stderr: ${err.trim().split('\n').slice(-3).join(' | ')}` };
      } else if (code !== 0 && result.error === undefined) {
        result.error = `exit ${code}`;
      }
      resolve(result);
    });
  });
}

function fmt(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(digits);
}

/**
 * Runs every trial of the suite `rounds` times, alternating their order each round (ours first in
 * odd rounds, last in even ones) so drift in machine load falls on both sides alike.
 */
export async function runSuite(suite: Suite, log: (line: string) => void = console.log): Promise<SuiteResult> {
  log(`\n## ${suite.title}  (${suite.rounds} round${suite.rounds === 1 ? '' : 's'})`);
  for (const note of suite.notes ?? []) log(`  · ${note}`);
  const samples: Record<string, Record<string, number[]>> = {};
  const facts: Record<string, Record<string, unknown>> = {};
  const failures: { trial: string; round: number; message: string }[] = [];
  const started = Date.now();
  for (const t of suite.trials) samples[t.label] = Object.fromEntries(suite.metrics.map((m) => [m.key, []]));
  for (let round = 1; round <= suite.rounds; round++) {
    const order = round % 2 === 1 ? suite.trials : [...suite.trials].reverse();
    for (const trial of order) {
      const r = await runTrial(trial);
      if (typeof r.error === 'string') {
        failures.push({ trial: trial.label, round, message: r.error });
        log(`  round ${round} ${trial.label}: FAILED ${r.error}`);
        continue;
      }
      const shown: string[] = [];
      for (const m of suite.metrics) {
        const v = r[m.key];
        if (typeof v === 'number') {
          samples[trial.label]![m.key]!.push(v);
          shown.push(`${m.key}=${fmt(v, m.digits)}`);
        }
      }
      facts[trial.label] = Object.fromEntries((suite.facts ?? []).filter((k) => k in r).map((k) => [k, r[k]]));
      log(`  round ${round} ${trial.label}: ${shown.join(' ')}`);
    }
  }
  const figures: Record<string, Record<string, Summary>> = {};
  for (const [label, byKey] of Object.entries(samples)) {
    figures[label] = {};
    for (const [key, values] of Object.entries(byKey)) {
      if (values.length === 0) continue;
      figures[label]![key] = { median: median(values), min: Math.min(...values), max: Math.max(...values), samples: values };
    }
  }
  const bounds = suite.bounds.map((b) => evaluate(b, figures));
  log(`  (${Math.round((Date.now() - started) / 1000)} s)`);
  printSummary(suite, figures, facts, bounds, log);
  return { id: suite.id, title: suite.title, rounds: suite.rounds, notes: suite.notes ?? [], figures, facts, failures, bounds };
}

function evaluate(b: Bound, figures: Record<string, Record<string, Summary>>): BoundResult {
  if (b.kind === 'ratio') {
    const o = figures[b.ours]?.[b.key]?.median;
    const base = figures[b.baseline]?.[b.key]?.median;
    const value = o === undefined || base === undefined ? null : o / base;
    if (b.max === undefined) return { name: b.name, value, limit: 'none, for context', met: null };
    return { name: b.name, value, limit: `≤ ${b.max}×`, met: value === null ? null : value <= b.max };
  }
  const value = figures[b.trial]?.[b.key]?.median ?? null;
  const limit = b.max !== undefined ? `≤ ${b.max}` : `≥ ${b.min}`;
  let met: boolean | null = null;
  if (value !== null) met = (b.max === undefined || value <= b.max) && (b.min === undefined || value >= b.min);
  return { name: b.name, value, limit, met };
}

function printSummary(
  suite: Suite,
  figures: Record<string, Record<string, Summary>>,
  facts: Record<string, Record<string, unknown>>,
  bounds: readonly BoundResult[],
  log: (line: string) => void,
): void {
  for (const t of suite.trials) {
    const parts = suite.metrics
      .map((m) => {
        const s = figures[t.label]?.[m.key];
        return s ? `${m.key} ${fmt(s.median, m.digits)} ${m.unit} [${fmt(s.min, m.digits)}–${fmt(s.max, m.digits)}]` : null;
      })
      .filter((p) => p !== null);
    log(`  ${t.label.padEnd(14)} median ${parts.join('; ') || 'no successful round'}`);
    const f = facts[t.label];
    if (f && Object.keys(f).length > 0) log(`  ${''.padEnd(14)} ${JSON.stringify(f)}`);
  }
  for (const b of bounds) {
    const verdict = b.met !== null ? (b.met ? 'MET' : 'MISSED') : b.value === null ? 'NO DATA' : '';
    log(`  → ${b.name}: ${b.value === null ? '–' : fmt(b.value, 3)} (target ${b.limit}) ${verdict}`);
  }
}

/** True when `--quick` is on the command line. */
export function isQuick(): boolean {
  return process.argv.includes('--quick');
}

/** Runs a suite when its file is the entry point (`node --import tsx bench/<suite>.ts [--quick]`). */
export async function runIfMain(metaUrl: string, make: (quick: boolean) => Suite): Promise<void> {
  if (process.argv[1] === undefined || fileURLToPath(metaUrl) !== process.argv[1]) return;
  const facts = { ...machineFacts(), mode: runMode() };
  console.log(
    Object.entries(facts)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
  );
  await runSuite(make(isQuick()));
}
