// The JSON HTTP API over the dashboards: path + query string in, status + body out (history read through a DashboardReader).

import { ValidationError } from '../errors.js';
import { EventType } from '../events/types.js';
import type { DashboardReader } from '../http/reader/DashboardReader.js';
import type { ExportFormat, ViewRequest } from '../http/reader/views.js';
import { withCleanup } from '../http/reader/withCleanup.js';
import type { DashboardData } from './DashboardData.js';

/** A response for the HTTP server to send; an iterable body is streamed (chunked) as it is produced. */
export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Uint8Array | AsyncIterable<Uint8Array>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the API reads. */
export interface ApiSources {
  /** The live views (real-time figures), read on the caller's thread. */
  readonly dashboards: DashboardData;
  /** The views over history (summary, trading, performance, hourly report, export). */
  readonly reader: DashboardReader;
  readonly health: { report(): unknown };
  readonly events: { query(query: { limit: number; eventType?: EventType }): unknown[] };
}

/** Options of {@link ApiHandlers}. */
export interface ApiOptions {
  /**
   * Requests answered at once at most (an export counts until its last byte is sent); any further
   * request is refused with 503 and `Retry-After`, never queued. @default 8
   */
  readonly maxConcurrentRequests?: number;
}

/** Defaults and bounds of the API. */
export const API_LIMITS = Object.freeze({
  maxConcurrentRequests: 8,
  /** Rows of a per-symbol table when `limit` is not given. */
  defaultSymbolLimit: 100,
  /** Largest `limit` of a per-symbol table. */
  maxSymbolLimit: 1000,
  maxEvents: 10_000,
  /**
   * Characters of events in one `/api/events` answer (it is built on the bot's thread): the newest
   * events that fit are sent, and `truncated` says the rest were left out.
   */
  maxEventsChars: 2 * 1024 * 1024,
  /** Seconds a refused client is told to wait (`Retry-After`). */
  retryAfterSeconds: 1,
});

const JSON_TYPE = 'application/json; charset=utf-8';
const EVENT_TYPES = Object.values(EventType) as string[];

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
  run(q: Params): ApiResponse | Promise<ApiResponse>;
}

/**
 * Routes `/api/*`. Each route lists the query parameters it accepts; any other parameter, a
 * repeated one or a malformed value is a 400 naming it. Unknown paths return null (the server
 * answers 404). Past `maxConcurrentRequests` requests in progress, a request is answered 503.
 */
export class ApiHandlers {
  private readonly routes: Record<string, Route>;
  private readonly maxConcurrent: number;
  private inFlight = 0;

  constructor(
    private readonly sources: ApiSources,
    options: ApiOptions = {},
  ) {
    this.maxConcurrent = options.maxConcurrentRequests ?? API_LIMITS.maxConcurrentRequests;
    const view = (request: ViewRequest, q: Params) => this.view(request, q);
    this.routes = {
      '/api/summary': { params: [], run: (q) => view({ view: 'summary' }, q) },
      '/api/trading': { params: ['hours', 'limit'], run: (q) => view({ view: 'trading', hours: hoursParam(q) }, q) },
      '/api/performance': { params: ['hours'], run: (q) => view({ view: 'performance', hours: hoursParam(q) }, q) },
      '/api/realtime': { params: [], run: () => json(200, sources.dashboards.getRealTimeMetrics()) },
      '/api/hourly-report': { params: ['hour', 'limit'], run: (q) => view({ view: 'hourly-report', hour: q.get('hour') ?? undefined }, q) },
      '/api/events': { params: ['type', 'limit'], run: (q) => this.events(q) },
      '/api/export': { params: ['format', 'limit'], run: (q) => this.export(q) },
      '/api/health': { params: [], run: () => json(200, sources.health.report()) },
    };
  }

  /** The API paths, for documentation and tests. */
  get paths(): string[] {
    return Object.keys(this.routes);
  }

  /** Requests in progress (an export until its last byte). */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  handle(pathname: string, query: Params): ApiResponse | Promise<ApiResponse> | null {
    const route = Object.hasOwn(this.routes, pathname) ? this.routes[pathname] : undefined;
    if (route === undefined) return null;
    for (const key of new Set(query.keys())) {
      if (!route.params.includes(key))
        return badParameter(key, query.get(key) ?? '', `no parameter ${key} (accepted: ${route.params.join(', ') || 'none'})`);
      if (query.getAll(key).length > 1) return badParameter(key, query.get(key) ?? '', 'the parameter once');
    }
    if (this.inFlight >= this.maxConcurrent) {
      return {
        ...json(503, { error: `too many API requests in progress (at most ${this.maxConcurrent}); retry later` }),
        headers: { 'Retry-After': String(API_LIMITS.retryAfterSeconds) },
      };
    }
    this.inFlight++;
    let response: ApiResponse | Promise<ApiResponse>;
    try {
      response = route.run(query);
    } catch (error) {
      this.inFlight--;
      return answerInvalid(error);
    }
    if (!(response instanceof Promise)) return this.released(response);
    return response.then(
      (r) => this.released(r),
      (error: unknown) => {
        this.inFlight--;
        return answerInvalid(error);
      },
    );
  }

  /** Stops the reader (a reader thread is terminated). */
  stop(): Promise<void> {
    return this.sources.reader.stop();
  }

  /** Ends the request's slot now, or, for a streamed body, when the stream ends (completed, failed or abandoned). */
  private released(response: ApiResponse): ApiResponse {
    const body = response.body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      this.inFlight--;
      return response;
    }
    return { ...response, body: withCleanup(body[Symbol.asyncIterator](), () => this.inFlight--) };
  }

  private async view(request: ViewRequest, q: Params): Promise<ApiResponse> {
    const limit = symbolLimitParam(q);
    return { status: 200, contentType: JSON_TYPE, body: await this.sources.reader.view(request, limit) };
  }

  private events(q: Params): ApiResponse {
    const type = q.get('type');
    if (type !== null && !EVENT_TYPES.includes(type)) return badParameter('type', type, `one of ${EVENT_TYPES.join(', ')}`);
    const limit = wholeParam(q, 'limit', 0, API_LIMITS.maxEvents, 100);
    const events = this.sources.events.query({ limit, ...(type === null ? {} : { eventType: type as EventType }) });
    const texts: string[] = [];
    let chars = 0;
    for (const event of events) {
      const text = JSON.stringify(event);
      chars += text.length + 1;
      if (chars > API_LIMITS.maxEventsChars) break;
      texts.push(text);
    }
    const truncated = texts.length < events.length;
    return {
      status: 200,
      contentType: JSON_TYPE,
      body: `{"count":${texts.length},"events":[${texts.join(',')}],"truncated":${truncated}}`,
    };
  }

  private async export(q: Params): Promise<ApiResponse> {
    const format = q.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new ValidationError('format', format, 'json or csv');
    const body = await this.sources.reader.export(format as ExportFormat, symbolLimitParam(q));
    return {
      status: 200,
      contentType: format === 'json' ? JSON_TYPE : 'text/csv; charset=utf-8',
      body,
      headers: { 'Content-Disposition': `attachment; filename="poseidon-export.${format}"` },
    };
  }
}

/** A ValidationError becomes a 400 naming the parameter; anything else is the server's 500. */
function answerInvalid(error: unknown): ApiResponse {
  if (error instanceof ValidationError) return badParameter(error.field, String(error.value), error.accepted);
  throw error;
}

function hoursParam(q: Params): number | undefined {
  const raw = q.get('hours');
  if (raw === null) return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ValidationError('hours', raw, 'a number of hours > 0 and <= 8784');
  return Number(raw);
}

function wholeParam(q: Params, name: string, min: number, max: number, fallback: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ValidationError(name, raw, `a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

/** `limit` of the per-symbol tables: the symbols of largest volume kept, the rest summed as `__other__`. */
function symbolLimitParam(q: Params): number {
  return wholeParam(q, 'limit', 1, API_LIMITS.maxSymbolLimit, API_LIMITS.defaultSymbolLimit);
}
