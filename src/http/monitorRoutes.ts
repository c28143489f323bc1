// The monitor's built-in routes: /metrics (Prometheus text) and /healthz (liveness, never behind the token).

import type { HttpServer } from './HttpServer.js';

/** Content type of the Prometheus text exposition format this server emits. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Registers `GET /metrics` (from `scrape`) and the unauthenticated `GET /healthz` on `server`. */
export function addMonitorRoutes(server: HttpServer, scrape: () => Promise<string | Uint8Array>): HttpServer {
  return server
    .route('/metrics', async () => ({ status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: await scrape() }))
    .route('/healthz', () => ({ status: 200, contentType: 'application/json; charset=utf-8', body: '{"status":"ok"}' }), {
      public: true,
    });
}
