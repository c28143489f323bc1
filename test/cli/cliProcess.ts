// Test helper: runs the CLI (TypeScript sources through tsx, so no stale build) as a child process.

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// An absolute URL of tsx's loader, so the child can run from any working directory (a temp dir).
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The parent's environment without any POSEIDON_* variable, plus `extra`: runs are not affected by the shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('POSEIDON_')) env[k] = v;
  return { ...env, ...extra };
}

/** A running CLI process whose output is collected as it arrives. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;

  constructor(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; entry?: string; node?: readonly string[] } = {}) {
    const entry = options.entry ?? CLI_ENTRY;
    this.child = spawn(process.execPath, [...(options.node ?? ['--import', TSX]), entry, ...args], {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.stdout += d;
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.stdout.match(pattern);
        if (m) {
          this.child.stdout!.off('data', check);
          resolve(m);
        }
      };
      this.child.stdout!.on('data', check);
      check();
      void this.exited.then((r) =>
        reject(new Error(`exited with ${r.code} before printing ${pattern}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)),
      );
    });
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new CliProcess(args, options).exited;
}

export { ROOT };
