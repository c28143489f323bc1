// Test helper: a child process running a TypeScript fixture, whose printed lines a test waits for.

import { type ChildProcess, spawn } from 'node:child_process';

/** A running fixture: its lines so far, a wait for a line, and its exit. */
export interface FixtureRun {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves when `count` printed lines match; rejects (with its stderr) if the child exits first. */
  waitFor(pattern: RegExp, count?: number): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node --import tsx <script>` in `cwd` with `env` added to this process's environment. */
export function runFixture(script: string, cwd: string, env: Record<string, string>): FixtureRun {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    waitFor(pattern, count = 1) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.filter((l) => pattern.test(l)).length >= count) resolve();
          else waiters.push(check);
        };
        exited.then(() => reject(new Error(`child exited before printing ${pattern}: ${stderr}`)));
        check();
      });
    },
  };
}
