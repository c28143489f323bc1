// The code a worker thread evals to load its module: the compiled JavaScript, or the TypeScript source through tsx.

import { type MessagePort, type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * The expression (a promise) that imports `name` (without extension) beside `from` (an
 * `import.meta.url`). Run from TypeScript sources (tests, tsx), the thread registers tsx's loader
 * first, since Node 20 ignores `--import` hooks in a worker's execArgv; the published package is
 * JavaScript. tsx is resolved here, where Node can: an evaluated worker resolves bare names from
 * the working directory.
 */
export function threadEntry(from: string, name: string): string {
  const fromSource = from.endsWith('.ts');
  const entry = JSON.stringify(new URL(`./${name}${fromSource ? '.ts' : '.js'}`, from).href);
  if (!fromSource) return `import(${entry})`;
  const tsxApi = JSON.stringify(typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api');
  return `import(${tsxApi}).then((tsx) => { tsx.register(); return import(${entry}); })`;
}

/**
 * The code a worker evals to load `name` (see {@link threadEntry}): when the module cannot load, it
 * posts `failure(message)` (an object literal's code, given the expression of the error's text) on
 * `workerData.port` and bumps `workerData.signal[0]`, so a caller waiting on the signal is told
 * instead of timing out.
 */
function threadBootstrap(from: string, name: string, failure: (message: string) => string): string {
  return `const { workerData: d } = require('node:worker_threads');
${threadEntry(from, name)}.catch((e) => {
  d.port.postMessage(${failure('String((e && e.message) || e)')});
  Atomics.add(d.signal, 0, 1);
  Atomics.notify(d.signal, 0);
});`;
}

/**
 * Starts the worker module `name` beside `from` with `data` (its port transferred), quiet and with
 * no inherited flags; a module that cannot load answers `failure` (see {@link threadBootstrap}).
 */
export function startThread(
  from: string,
  name: string,
  failure: (message: string) => string,
  data: { port: MessagePort; signal: Int32Array },
  resourceLimits?: ResourceLimits,
): Worker {
  return new Worker(threadBootstrap(from, name, failure), {
    eval: true,
    workerData: data,
    transferList: [data.port],
    execArgv: [],
    stdout: false,
    stderr: false,
    ...(resourceLimits === undefined ? {} : { resourceLimits }),
  });
}

/**
 * Posts on `port`, then bumps `signal[0]` and wakes a thread waiting on it: once the waiter sees the
 * count move, the message is on the port (it reads it with `receiveMessageOnPort`).
 */
export function signalledPoster(port: MessagePort, signal: Int32Array): (message: unknown, transfer?: ArrayBuffer[]) => void {
  return (message, transfer = []) => {
    port.postMessage(message, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
}
