// The seed's quick start in TypeScript: basic usage (a trade, a performance metric, an error, the summary) and the context-manager form.

import { MonitoringConfig, MonitoringSystem } from 'poseidon-monitor';

// Initialize monitoring system: the configuration comes from the POSEIDON_* environment variables.
const config = MonitoringConfig.fromEnv();
const monitor = new MonitoringSystem(config);

// Start monitoring
await monitor.start();

// Log a trade
monitor.logTrade({
  symbol: 'BTCUSDT',
  side: 'buy',
  quantity: 0.1,
  price: 45000.0,
  fee: 4.5,
  executionTimeMs: 150.0,
  slippageBps: 2.5,
});

// Log performance metric
monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds');

// Log error
monitor.logError('Connection timeout', { errorType: 'network_timeout' });

// Get dashboard data
const summary = monitor.getDashboardSummary();
console.log(`Total trades: ${summary.totalTrades24h}`);
console.log(`System status: ${summary.systemStatus}`);

// Stop monitoring
await monitor.stop();

// Context manager usage: `await using` stops the monitor when the block ends, even on a throw.
{
  await using monitor = new MonitoringSystem();
  await monitor.start();
  // Your trading bot code here
  monitor.logTrade({ symbol: 'ETHUSDT', side: 'sell', quantity: 1.0, price: 3200.0, fee: 3.2 });
  const summary = monitor.getDashboardSummary();
  console.log(`Active trades: ${summary.totalTrades24h}`);
}
