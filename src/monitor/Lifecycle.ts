// Lifecycle: the one order in which a monitor's parts open and close (server, sinks, exit hooks, dashboards).

import type { DashboardData } from '../analytics/DashboardData.js';
import type { HttpServer } from '../http/HttpServer.js';
import type { EventPipeline } from './EventPipeline.js';

/**
 * Opens the HTTP server first, so a port already in use fails before any sink has opened anything,
 * then the sinks and the exit hooks; closes the server before the sinks, since telemetry cannot be
 * scraped once its meter provider is shut down. What a failed start opened is closed again.
 */
export class Lifecycle {
  constructor(
    private readonly http: HttpServer | null,
    private readonly pipeline: EventPipeline,
    private readonly dashboards: DashboardData,
    private readonly signalHandlers: boolean,
  ) {}

  async start(): Promise<void> {
    try {
      await this.http?.start();
      await this.pipeline.start(this.signalHandlers);
    } catch (error) {
      await this.http?.stop();
      throw error;
    }
    this.dashboards.start();
  }

  async stop(): Promise<void> {
    this.dashboards.stop();
    await this.http?.stop();
    await this.pipeline.stop();
  }
}
