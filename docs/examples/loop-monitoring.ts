// The seed's loop execution monitoring in TypeScript: one run of a trading loop timed from start to end, its failure logged as `execution_error`.

import { MonitoringSystem } from 'poseidon-monitor';

const monitor = new MonitoringSystem();
await monitor.start();

/** Stands in for your trading logic: places the round's orders and returns how many trades it executed. */
function executeTrades(): number {
  monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45000.0, fee: 4.5, executionTimeMs: 150.0 });
  monitor.logTrade({ symbol: 'BTCUSDT', side: 'sell', quantity: 0.1, price: 45100.0, fee: 4.51, executionTimeMs: 140.0 });
  return 2;
}

// Start monitoring a trading loop
monitor.startLoopExecution('main_trading_loop', { executionId: 'exec_123' });

try {
  // Your trading logic here
  const tradesExecuted = executeTrades();

  // End loop monitoring
  monitor.endLoopExecution('main_trading_loop', { success: true, tradesExecuted });
} catch (e) {
  monitor.logError(`Loop execution failed: ${e}`, { errorType: 'execution_error' });
  monitor.endLoopExecution('main_trading_loop', { success: false });
}

// `trackLoop` does the same in one call: it times the body, ends the run as failed on a throw
// (recording a `loop_error`) and re-throws.
await monitor.trackLoop('main_trading_loop', (run) => {
  run.tradesExecuted = executeTrades();
});

const [loop] = monitor.getPerformanceDashboard({ hours: 1 }).loopPerformance;
console.log(`Loop ${loop?.loopName}: ${loop?.runs} runs, ${loop?.successes} succeeded, ${loop?.failures} failed`);
await monitor.stop();
