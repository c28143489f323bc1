// The seed's error handling and monitoring in TypeScript: its six error categories, a failed trade logged as `execution_error`, and health monitoring.

import { ErrorType, MonitoringSystem } from 'poseidon-monitor';

const monitor = new MonitoringSystem();
await monitor.start();

// Error categories: the seed's six, as `ErrorType` members (their values are the `error_type` labels).
monitor.logError('Event queue overflowed', { errorType: ErrorType.SYSTEM_ERROR, severity: 'high' }); // Internal system errors
monitor.logError('Connection timeout', { errorType: ErrorType.NETWORK_TIMEOUT }); // Connection timeouts
monitor.logError('429 Too Many Requests', { errorType: ErrorType.API_RATE_LIMIT, severity: 'low' }); // Rate limiting errors
monitor.logError('Balance 12.5 USDT below order cost 4500 USDT', { errorType: ErrorType.INSUFFICIENT_FUNDS, symbol: 'BTCUSDT' }); // Trading errors
monitor.logError('Quantity below the minimum lot 0.001', { errorType: ErrorType.INVALID_ORDER, symbol: 'BTCUSDT' }); // Order validation errors

/** Stands in for your exchange client: this order fails. */
function placeOrder(): never {
  throw new Error('order 42 expired before it was filled');
}

// Trade execution errors: the failure path of the seed's loop example.
monitor.startLoopExecution('main_trading_loop');
try {
  placeOrder();
  monitor.endLoopExecution('main_trading_loop', { success: true, tradesExecuted: 1 });
} catch (e) {
  monitor.logError(`Loop execution failed: ${e}`, { errorType: ErrorType.EXECUTION_ERROR, loopName: 'main_trading_loop' });
  monitor.endLoopExecution('main_trading_loop', { success: false });
}

// Health monitoring: get system health
const health = monitor.getSystemHealth();
console.log(`Monitoring running: ${health.monitoringSystemRunning}`);
console.log(`Active executions: ${health.activeExecutions}`);

// Check database health
const dbStats = monitor.getDatabaseStats();
const { db_size_bytes: dbSizeBytes, ...tables } = dbStats;
const totalRecords = Object.values(tables).reduce((sum, n) => sum + n, 0);
console.log(`Total records in database: ${totalRecords}`);

// Errors counted by category, as the performance dashboard shows them
for (const { errorType, count } of monitor.getPerformanceDashboard({ hours: 1 }).errorRates.byType) console.log(`${errorType}: ${count}`);
await monitor.stop();
