// The seed's growth tracking in TypeScript: balances tracked hourly, a manual growth record, and the hourly report of the current hour.

import { MonitoringSystem } from 'poseidon-monitor';

const monitor = new MonitoringSystem();
await monitor.start();

// Hourly growth is automatically tracked
monitor.updateAccountBalance(15000.0); // System tracks growth hourly

// Manual growth record
const metricsCollector = monitor.metricsCollector;
metricsCollector.recordHourlyGrowth({
  currentBalance: 15000.0,
  tradeCount: 5,
  pnl: 500.0,
});

// Get hourly report for current hour
const report = monitor.getHourlyReport();
console.log(`Hour: ${report.reportHour}`);
console.log(`Growth: ${JSON.stringify(report.growthData)}`);
console.log(`Trades: ${JSON.stringify(report.tradesSummary)}`);
await monitor.stop();
