// trackLoop: runs a loop body as one recorded execution, its failure recorded as a loop error and re-thrown.

import { ValidationError } from '../errors.js';
import { describeThrown, type ErrorOptions, type LoopEndOptions } from '../events/build.js';
import { type ErrorEvent, ErrorType, type LoopExecutionEvent } from '../events/types.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import type { LoopRun } from './LoopRuns.js';

/** Options of `startLoopExecution`. */
export interface LoopStartOptions {
  /** @default a generated UUID */
  executionId?: string;
  additionalData?: Record<string, unknown>;
}

/** The facade's recording methods a tracked loop goes through, so it is recorded exactly as calls by hand would be. */
export interface LoopRecorder {
  readonly diagnostics: Diagnostics;
  now(): number;
  startLoopExecution(loopName: string, options: LoopStartOptions): LoopRun;
  endLoopExecution(loopName: string, options: LoopEndOptions): LoopExecutionEvent;
  logError(message: string | Error, options: ErrorOptions): ErrorEvent;
}

/** Starts a run of `loopName`, awaits `body`, and ends the run with its outcome. Returns what `body` returns. */
export async function trackLoop<T>(
  monitor: LoopRecorder,
  loopName: string,
  body: (run: LoopRun) => Promise<T> | T,
  options: LoopStartOptions,
): Promise<T> {
  if (typeof body !== 'function') throw new ValidationError('body', body, 'a function');
  const run = monitor.startLoopExecution(loopName, options);
  let result: T;
  const validTrades = () => Number.isSafeInteger(run.tradesExecuted) && run.tradesExecuted >= 0;
  try {
    result = await body(run);
  } catch (error) {
    // Recording the failure is best effort: whatever goes wrong there, the bot gets its own error back.
    try {
      const message = describeThrown(error);
      monitor.endLoopExecution(run.loopName, {
        executionId: run.executionId,
        success: false,
        tradesExecuted: validTrades() ? run.tradesExecuted : 0,
        errorMessage: message,
      });
      monitor.logError(error instanceof Error ? error : message, {
        errorType: ErrorType.LOOP_ERROR,
        severity: 'high',
        loopName: run.loopName,
      });
    } catch (recordError) {
      monitor.diagnostics.sinkFailed('trackLoop', recordError, monitor.now());
    }
    throw error;
  }
  if (!validTrades()) {
    // A bad count from the body is refused loudly, but the run still ends rather than staying active forever.
    monitor.endLoopExecution(run.loopName, { executionId: run.executionId, success: false, errorMessage: 'invalid tradesExecuted' });
    throw new ValidationError('tradesExecuted', run.tradesExecuted, 'a whole number >= 0');
  }
  monitor.endLoopExecution(run.loopName, { executionId: run.executionId, success: true, tradesExecuted: run.tradesExecuted });
  return result;
}
