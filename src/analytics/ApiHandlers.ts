// The JSON HTTP API over the dashboards: path + query string in, status + body out (no I/O here).

import { ValidationError } from '../errors.js';
import { EventType } from '../events/types.js';
import type { DashboardData } from './DashboardData.js';

/** A response for the HTTP server to send. */
export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the API reads besides the dashboards. */
export interface ApiSources {
  readonly dashboards: DashboardData;
  readonly health: { report(): unknown };
  readonly events: { query(query: { limit: number; eventType?: EventType }): unknown[] };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const EVENT_TYPES = Object.values(EventType) as string[];
const MAX_EVENTS = 10_000;

function json(status: number, value: unknown): ApiResponse {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

/** 400 with a JSON body naming the parameter. */
function badParameter(parameter: string, value: string, accepted: string): ApiResponse {
  return json(400, { error: `invalid query parameter ${parameter}: expected ${accepted}`, parameter, value: value.slice(0, 100) });
}

type Params = URLSearchParams;

interface Route {
  readonly params: readonly string[];
  run(q: Params): ApiResponse;
}

/**
 * Routes `/api/*`. Each route lists the query parameters it accepts; any other parameter, a
 * repeated one or a malformed value is a 400 naming it. Unknown paths return null (the server
 * answers 404).
 */
export class ApiHandlers {
  private readonly routes: Record<string, Route>;

  constructor(private readonly sources: ApiSources) {
    const d = () => sources.dashboards;
    this.routes = {
      '/api/summary': { params: [], run: () => json(200, d().getDashboardSummary()) },
      '/api/trading': { params: ['hours'], run: (q) => json(200, d().getTradingDashboard({ hours: hoursParam(q) })) },
      '/api/performance': { params: ['hours'], run: (q) => json(200, d().getPerformanceDashboard({ hours: hoursParam(q) })) },
      '/api/realtime': { params: [], run: () => json(200, d().getRealTimeMetrics()) },
      '/api/hourly-report': { params: ['hour'], run: (q) => json(200, d().getHourlyReport(q.get('hour') ?? undefined)) },
      '/api/events': { params: ['type', 'limit'], run: (q) => this.events(q) },
      '/api/export': { params: ['format'], run: (q) => this.export(q) },
      '/api/health': { params: [], run: () => json(200, sources.health.report()) },
    };
  }

  /** The API paths, for documentation and tests. */
  get paths(): string[] {
    return Object.keys(this.routes);
  }

  handle(pathname: string, query: Params): ApiResponse | null {
    const route = Object.hasOwn(this.routes, pathname) ? this.routes[pathname] : undefined;
    if (route === undefined) return null;
    for (const key of new Set(query.keys())) {
      if (!route.params.includes(key))
        return badParameter(key, query.get(key) ?? '', `no parameter ${key} (accepted: ${route.params.join(', ') || 'none'})`);
      if (query.getAll(key).length > 1) return badParameter(key, query.get(key) ?? '', 'the parameter once');
    }
    try {
      return route.run(query);
    } catch (error) {
      if (error instanceof ValidationError) {
        return badParameter(error.field, String(error.value), error.accepted);
      }
      throw error;
    }
  }

  private events(q: Params): ApiResponse {
    const type = q.get('type');
    if (type !== null && !EVENT_TYPES.includes(type)) return badParameter('type', type, `one of ${EVENT_TYPES.join(', ')}`);
    const rawLimit = q.get('limit');
    let limit = 100;
    if (rawLimit !== null) {
      if (!/^\d{1,6}$/.test(rawLimit) || Number(rawLimit) > MAX_EVENTS)
        return badParameter('limit', rawLimit, `a whole number from 0 to ${MAX_EVENTS}`);
      limit = Number(rawLimit);
    }
    const events = this.sources.events.query({ limit, ...(type === null ? {} : { eventType: type as EventType }) });
    return json(200, { count: events.length, events });
  }

  private export(q: Params): ApiResponse {
    const format = q.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') return badParameter('format', format, 'json or csv');
    const body = this.sources.dashboards.exportDashboardData(format);
    return {
      status: 200,
      contentType: format === 'json' ? JSON_TYPE : 'text/csv; charset=utf-8',
      body,
      headers: { 'Content-Disposition': `attachment; filename="poseidon-export.${format}"` },
    };
  }
}

function hoursParam(q: Params): number | undefined {
  const raw = q.get('hours');
  if (raw === null) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ValidationError('hours', raw, 'a number of hours > 0 and <= 8784');
  return Number(raw);
}
