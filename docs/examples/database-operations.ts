// The seed's database operations in TypeScript: table statistics, trades and system metrics read back from history, and cleanup.

import { MonitoringConfig, MonitoringSystem } from 'poseidon-monitor';

const config = MonitoringConfig.fromEnv();
const monitor = new MonitoringSystem(config);
await monitor.start();
monitor.logTrade({ symbol: 'BTCUSDT', side: 'buy', quantity: 0.1, price: 45000.0, fee: 4.5, executionTimeMs: 150.0, slippageBps: 2.5 });
monitor.logTrade({ symbol: 'ETHUSDT', side: 'buy', quantity: 1.0, price: 3200.0, fee: 3.2 });
monitor.logPerformanceMetric('api_response_time', 120.5, 'milliseconds');

// System metrics are collected automatically every POSEIDON_METRICS_INTERVAL seconds (default 60);
// this example waits for the first collection (a bot that has run a while has many), a minute at most.
const deadline = Date.now() + (config.metricsIntervalSeconds + 60) * 1000;
while (
  config.enableSystemMetrics &&
  monitor.metricsCollector.getPerformanceMetrics({ metricName: 'system_cpu_percent', limit: 1 }).length === 0
) {
  if (Date.now() > deadline) throw new Error('no system metrics collected');
  await new Promise((resolve) => setTimeout(resolve, 50));
}

// Get database statistics
const stats = monitor.getDatabaseStats();
console.log(`Total trades: ${stats.trades}`);
console.log(`Total metrics: ${stats.performance_metrics}`);

// Query specific metrics
const trades = monitor.metricsCollector.getTradeMetrics({
  since: new Date(Date.now() - 24 * 60 * 60 * 1000),
  symbol: 'BTCUSDT',
});
console.log(`BTCUSDT trades in 24 h: ${trades.length}`);

const performance = monitor.metricsCollector.getPerformanceMetrics({
  metricName: 'system_cpu_percent',
});
console.log(`system_cpu_percent: ${performance[0]?.value} ${performance[0]?.unit}`);

// Cleanup old data
const cleanup = await monitor.metricsCollector.cleanupOldData(30);
console.log(`Rows older than 30 days deleted: ${cleanup.total}`);
await monitor.stop();
