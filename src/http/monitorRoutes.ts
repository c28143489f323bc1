// The monitor's built-in routes: /metrics (Prometheus text), /healthz (liveness) and the console's static files (never behind the token).

import { consoleAssets } from './console/consoleAssets.js';
import type { HttpServer } from './HttpServer.js';

/** Content type of the Prometheus text exposition format this server emits. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Registers `GET /metrics` (from `scrape`; none when null, for a server that records nothing), the
 * unauthenticated `GET /healthz`, and the console at `/` (its files hold no data, so they are
 * public; the page asks for the token the API needs).
 */
export function addMonitorRoutes(server: HttpServer, scrape: (() => Promise<string | Uint8Array>) | null): HttpServer {
  for (const [path, response] of consoleAssets()) server.route(path, () => response, { public: true });
  if (scrape !== null) {
    server.route('/metrics', async () => ({ status: 200, contentType: PROMETHEUS_CONTENT_TYPE, body: await scrape() }));
  }
  return server.route('/healthz', () => ({ status: 200, contentType: 'application/json; charset=utf-8', body: '{"status":"ok"}' }), {
    public: true,
  });
}
