// LoopRuns: the loop runs in progress, by loop name, with the checks that start and end them.

import { ValidationError } from '../errors.js';
import type { AdditionalData } from '../events/types.js';

/** A run of a loop in progress, as handed to the function given to `trackLoop`. */
export interface LoopRun {
  readonly loopName: string;
  readonly executionId: string;
  readonly startTime: number;
  /** Set by the loop body; reported when the run ends. */
  tradesExecuted: number;
}

/** A run in progress with what it was started with. */
export interface ActiveRun extends LoopRun {
  readonly startData: AdditionalData | null;
}

/** Several runs of one loop may overlap; each is told apart by its execution id. */
export class LoopRuns {
  private readonly byLoop = new Map<string, ActiveRun[]>();
  private count = 0;

  /** Adds a run; an id already running for that loop throws {@link ValidationError}. */
  start(loopName: string, executionId: string, startTime: number, startData: AdditionalData | null): ActiveRun {
    const runs = this.byLoop.get(loopName);
    if (runs?.some((r) => r.executionId === executionId)) {
      throw new ValidationError('executionId', executionId, `an id not already running for loop ${JSON.stringify(loopName)}`);
    }
    const run: ActiveRun = { loopName, executionId, startTime, tradesExecuted: 0, startData };
    if (runs) runs.push(run);
    else this.byLoop.set(loopName, [run]);
    this.count++;
    return run;
  }

  /**
   * Removes and returns the run with `executionId`, else the most recent of `loopName`; a loop
   * (or id) not running throws {@link ValidationError}.
   */
  end(loopName: string, executionId: string | null): ActiveRun {
    const runs = this.byLoop.get(loopName);
    if (!runs || runs.length === 0) {
      throw new ValidationError('loopName', loopName, 'the name of a loop started with startLoopExecution and not yet ended');
    }
    const index = executionId === null ? runs.length - 1 : runs.findIndex((r) => r.executionId === executionId);
    if (index < 0)
      throw new ValidationError('executionId', executionId, `the id of a running execution of loop ${JSON.stringify(loopName)}`);
    const [run] = runs.splice(index, 1);
    if (runs.length === 0) this.byLoop.delete(loopName);
    this.count--;
    return run!;
  }

  /** Runs in progress. */
  get size(): number {
    return this.count;
  }

  /** Runs in progress, oldest first. */
  list(): LoopRun[] {
    const out: LoopRun[] = [];
    for (const runs of this.byLoop.values()) out.push(...runs);
    return out.sort((a, b) => a.startTime - b.startTime);
  }

  /** Names of the loops with a run in progress. */
  names(): string[] {
    return [...this.byLoop.keys()];
  }
}
