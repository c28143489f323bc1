// The composition root: builds the monitor's object graph once from its configuration and wires the parts by passing objects.

import { ApiHandlers } from '../analytics/ApiHandlers.js';
import { DashboardData } from '../analytics/DashboardData.js';
import { DayWindow } from '../analytics/DayWindow.js';
import { GrowthTracker } from '../analytics/GrowthTracker.js';
import { RateCounter } from '../analytics/RateCounter.js';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import { EventLog } from '../events/EventLog.js';
import { RecentEvents } from '../events/RecentEvents.js';
import { HttpServer } from '../http/HttpServer.js';
import { addMonitorRoutes } from '../http/monitorRoutes.js';
import { createDashboardReader } from '../http/reader/createDashboardReader.js';
import type { Diagnostics } from '../internal/Diagnostics.js';
import { LogSink } from '../logging/LogSink.js';
import { MonitoringLogger } from '../logging/MonitoringLogger.js';
import { WebhookNotifier } from '../notify/WebhookNotifier.js';
import { createHistoryStore } from '../store/createHistoryStore.js';
import type { HistoryStore } from '../store/HistoryStore.js';
import { MetricsCollector } from '../store/MetricsCollector.js';
import { SystemMetrics } from '../system/SystemMetrics.js';
import { Telemetry } from '../telemetry/Telemetry.js';
import { EventPipeline } from './EventPipeline.js';
import { Lifecycle } from './Lifecycle.js';
import { MonitorHealth } from './MonitorHealth.js';
import type { MonitorState } from './MonitorState.js';

/** Every part of one monitor, built by {@link buildMonitor}. */
export interface MonitorParts {
  readonly ring: EventLog;
  readonly recentEvents: RecentEvents;
  /** The log outputs (file, console, OTLP); also behind the bot's own pino logger. */
  readonly logSink: LogSink;
  readonly logger: MonitoringLogger;
  readonly pipeline: EventPipeline;
  readonly store: HistoryStore;
  readonly metricsCollector: MetricsCollector;
  readonly growth: GrowthTracker | null;
  readonly notifier: WebhookNotifier | null;
  readonly rates: RateCounter;
  readonly day: DayWindow;
  readonly dashboardData: DashboardData;
  readonly health: MonitorHealth;
  readonly api: ApiHandlers;
  readonly telemetry: Telemetry;
  /** Null when the metrics server is off. */
  readonly http: HttpServer | null;
  /** Opens and closes the parts above in their one order. */
  /** Host and process figures sampled every `metricsIntervalSeconds`; null when off. */
  readonly systemMetrics: SystemMetrics | null;
  readonly lifecycle: Lifecycle;
}

/**
 * Builds the parts and adds the sinks to the pipeline in their order: the log first (it stops last
 * and logs what the others report while stopping), the store next (it stops late and writes what
 * the others emit while stopping), then notifications, the rate windows and telemetry.
 */
export function buildMonitor(config: MonitoringConfig, state: MonitorState, diagnostics: Diagnostics): MonitorParts {
  const clock = config.clock;
  const failed = (where: string) => (error: unknown) => diagnostics.sinkFailed(where, error, clock.now());
  const ring = new EventLog(config.maxDataPoints);
  const growth = config.enableHourlyGrowth ? new GrowthTracker(clock, state) : null;
  const pipeline = new EventPipeline(ring, growth, diagnostics, clock);

  const logSink = new LogSink({ config, onError: failed('logs') });
  if (logSink.hasOutputs) {
    pipeline.add(logSink);
    diagnostics.onFailure((where, error) => logSink.recordDiagnostic(where, error, clock.now()));
  }
  const store = createHistoryStore(config, failed('store'));
  pipeline.add(store);
  const webhooks = config.webhookTargets;
  const notifier =
    webhooks.length === 0
      ? null
      : new WebhookNotifier(
          webhooks,
          { hourlyReports: config.enableHourlyNotifications, criticalErrors: config.enableCriticalAlerts },
          (target, message) => diagnostics.sinkFailed('notifier', new Error(`webhook ${target} failed: ${message}`), clock.now()),
        );
  if (notifier !== null) pipeline.add(notifier);
  const rates = new RateCounter();
  const day = new DayWindow();
  pipeline.add(rates);
  pipeline.add(day);
  const telemetry = new Telemetry(config, { state, notifier, diagnostics });
  telemetry.observeStore(store);
  pipeline.add(telemetry);

  const systemMetrics =
    config.enableSystemMetrics && config.enablePerformanceMonitoring
      ? new SystemMetrics({
          clock,
          intervalMillis: Math.round(config.metricsIntervalSeconds * 1000),
          publisher: pipeline,
          databaseSizeBytes: () => (config.storage === 'sqlite' ? store.stats().dbSizeBytes : null),
        })
      : null;
  if (systemMetrics !== null) telemetry.observeSystem(systemMetrics);

  const recentEvents = new RecentEvents(ring);
  const dashboardSources = { clock, history: store, rates, day, growth, state, diagnostics, system: systemMetrics };
  const dashboardData = new DashboardData(dashboardSources);
  const health = new MonitorHealth(state, ring, diagnostics);
  // The API's history views run on a reader thread (or bounded, in process for memory history), never the bot's code path.
  const reader = createDashboardReader({
    store,
    bot: config.botName,
    live: {
      dashboard: dashboardSources,
      resources: () => dashboardData.resourceUtilization(),
      daySeedUntil: (now) => (dashboardData.daySeeded ? null : Math.min(day.firstRecorded, now + 1)),
    },
    version: () => ring.totalAppended,
    onError: failed('reader'),
  });
  const api = new ApiHandlers(
    { dashboards: dashboardData, reader, health, events: recentEvents },
    { maxConcurrentRequests: config.apiMaxConcurrentRequests },
  );
  let http: HttpServer | null = null;
  if (config.enableMetricsServer) {
    const { metricsHost: host, metricsPort: port, apiToken } = config;
    http = addMonitorRoutes(new HttpServer({ host, port, apiToken, onError: failed('http') }), () => telemetry.scrapeBytes());
    http.routePrefix('/api/', (request) => api.handle(request.pathname, request.query));
  }
  return {
    ring,
    recentEvents,
    logSink,
    logger: new MonitoringLogger(ring, logSink),
    pipeline,
    store,
    metricsCollector: new MetricsCollector(store, clock, pipeline),
    growth,
    notifier,
    rates,
    day,
    dashboardData,
    health,
    api,
    telemetry,
    http,
    systemMetrics,
    lifecycle: new Lifecycle(http, api, pipeline, dashboardData, systemMetrics, config.installSignalHandlers),
  };
}
