// The monitor's HTTP server (node:http, no framework): a small route table behind one port, with optional bearer-token auth and, without a token, a Host check.

import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TurnPacer } from './TurnPacer.js';

/** A request as a route sees it. */
export interface HttpRequest {
  readonly method: 'GET' | 'HEAD';
  /** Decoded path, e.g. `/api/trading`. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/**
 * What a route answers; the server adds Content-Length and sends no body to HEAD. An iterable body
 * is streamed (chunked) as the client reads it, and abandoned when the client goes away.
 */
export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Uint8Array | AsyncIterable<Uint8Array>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers a request, or returns null to let the server answer 404. May be async. */
export type RouteHandler = (request: HttpRequest) => HttpResponse | null | Promise<HttpResponse | null>;

/** Options of a route. */
export interface RouteOptions {
  /** Served without the bearer token even when one is configured (health checks). @default false */
  readonly public?: boolean;
}

/** Options of {@link HttpServer}. */
export interface HttpServerOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one (see {@link HttpServer.url}). @default 9464 */
  port?: number;
  /**
   * When set, every non-public route answers 401 without `Authorization: Bearer <token>`. When not
   * set, a request whose `Host` could name a web page's origin (see {@link hostNeedsNoToken}) is
   * answered 421, so a browser page cannot reach the server through DNS rebinding. @default null
   */
  apiToken?: string | null;
  /** Told about every handler failure (answered 500) and server error; never throws. */
  onError?: (error: unknown) => void;
  /**
   * A client must have sent all of a request's headers within this time of starting them, else it
   * gets 408 and is disconnected; a connection silent this long is closed. A slow or idle client
   * cannot hold a socket. @default 10000
   */
  headersTimeoutMillis?: number;
  /** A client must have sent a whole request within this time. @default 30000 */
  requestTimeoutMillis?: number;
}

/** Defaults of {@link HttpServerOptions}' limits. */
export const HTTP_SERVER_DEFAULTS = Object.freeze({
  headersTimeoutMillis: 10_000,
  requestTimeoutMillis: 30_000,
  /** Idle time before a keep-alive connection is closed. */
  keepAliveTimeoutMillis: 5_000,
  /** Larger request headers are answered 431. */
  maxHeaderSizeBytes: 16 * 1024,
});

interface Route {
  readonly handler: RouteHandler;
  readonly public: boolean;
}

/** Requests whose handling starts in one turn of the event loop. */
const REQUESTS_PER_TURN = 4;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const BASE = 'http://localhost';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * One port for `/metrics`, `/healthz` and the JSON API. Routes are exact paths (`/metrics`) or
 * prefixes (`/api/`), added with {@link HttpServer.route} / {@link HttpServer.routePrefix} before or
 * after `start()`. Only GET and HEAD are served (405 otherwise); unknown paths are 404; a handler
 * that throws is a 500 and the server keeps running. The listening socket is `unref()`'d so it
 * never keeps the bot's process alive.
 */
export class HttpServer {
  private readonly exact = new Map<string, Route>();
  private readonly prefixes: { readonly prefix: string; readonly route: Route }[] = [];
  private readonly host: string;
  private readonly port: number;
  /** SHA-256 of the token: equal-length buffers for timingSafeEqual whatever the length given. */
  private readonly tokenDigest: Buffer | null;
  private readonly onError: (error: unknown) => void;
  private readonly headersTimeoutMillis: number;
  private readonly requestTimeoutMillis: number;
  private server: Server | null = null;
  private boundUrl: string | null = null;
  private stopping: Promise<void> | null = null;
  private readonly pacer = new TurnPacer(REQUESTS_PER_TURN);

  constructor(options: HttpServerOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 9464;
    this.tokenDigest = options.apiToken ? sha256(options.apiToken) : null;
    this.onError = options.onError ?? (() => {});
    this.headersTimeoutMillis = options.headersTimeoutMillis ?? HTTP_SERVER_DEFAULTS.headersTimeoutMillis;
    this.requestTimeoutMillis = options.requestTimeoutMillis ?? HTTP_SERVER_DEFAULTS.requestTimeoutMillis;
  }

  /** Serves `path` exactly (no trailing-slash variants). A later call for the same path replaces it. */
  route(path: string, handler: RouteHandler, options: RouteOptions = {}): this {
    this.exact.set(path, { handler, public: options.public === true });
    return this;
  }

  /** Serves every path starting with `prefix` (e.g. `/api/`); a handler returning null means 404. Longest prefix wins. */
  routePrefix(prefix: string, handler: RouteHandler, options: RouteOptions = {}): this {
    this.prefixes.push({ prefix, route: { handler, public: options.public === true } });
    this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
    return this;
  }

  /** `http://host:port` once listening (the real port when 0 was asked), else null. */
  get url(): string | null {
    return this.boundUrl;
  }

  /** Starts listening; rejects (e.g. EADDRINUSE) if the port cannot be bound. Calling it twice is harmless. */
  async start(): Promise<void> {
    if (this.server !== null) return;
    const server = createServer(
      {
        headersTimeout: this.headersTimeoutMillis,
        requestTimeout: Math.max(this.requestTimeoutMillis, this.headersTimeoutMillis),
        keepAliveTimeout: HTTP_SERVER_DEFAULTS.keepAliveTimeoutMillis,
        maxHeaderSize: HTTP_SERVER_DEFAULTS.maxHeaderSizeBytes,
        // How often Node looks for clients over those limits (its default, 30 s, would let one linger).
        connectionsCheckingInterval: Math.min(1000, this.headersTimeoutMillis),
      },
      // Handled a few per turn of the event loop: a burst of requests arriving together is answered
      // over several turns, with the process's timers (the bot's) running between them.
      (req, res) =>
        this.pacer.run(() => {
          this.handle(req, res).catch((error: unknown) => {
            this.onError(error);
            if (!res.headersSent) this.send(res, 'GET', { status: 500, contentType: TEXT, body: 'internal server error\n' });
            else res.destroy();
          });
        }),
    );
    // A connection silent for that long (one that never sends a byte is not covered by headersTimeout) is closed.
    server.timeout = this.headersTimeoutMillis;
    // Malformed requests are answered here; a socket error must never become an uncaught exception.
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(error.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    });
    this.server = server;
    this.stopping = null;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: this.host, port: this.port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      this.server = null;
      throw error;
    }
    server.on('error', (error) => this.onError(error));
    server.unref();
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
    this.boundUrl = `http://${host}:${address.port}`;
  }

  /** Stops listening and closes open connections. Safe to call twice. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    const server = this.server;
    this.server = null;
    this.boundUrl = null;
    if (server === null) return Promise.resolve();
    this.stopping = new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections (Prometheus keeps one open) would otherwise hold close() forever.
      server.closeAllConnections();
    });
    return this.stopping;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'HEAD') {
      this.send(res, 'GET', { status: 405, contentType: TEXT, body: 'method not allowed\n', headers: { Allow: 'GET, HEAD' } });
      return;
    }
    let url: URL;
    try {
      // A fixed base: the Host header is the client's to choose and must not steer parsing.
      url = new URL(req.url ?? '/', BASE);
    } catch {
      this.send(res, method, { status: 400, contentType: TEXT, body: 'bad request\n' });
      return;
    }
    if (this.tokenDigest === null && !hostNeedsNoToken(req.headers.host, this.host)) {
      this.send(res, method, {
        status: 421,
        contentType: TEXT,
        body: 'misdirected request: unknown Host; set an API token to serve other names\n',
      });
      return;
    }
    const pathname = url.pathname;
    const route = this.find(pathname);
    if (!route?.public && !this.authorized(req.headers.authorization)) {
      this.send(res, method, {
        status: 401,
        contentType: TEXT,
        body: 'unauthorized\n',
        headers: { 'WWW-Authenticate': 'Bearer realm="poseidon-monitor"' },
      });
      return;
    }
    const response = route ? await route.handler({ method, pathname, query: url.searchParams, headers: req.headers }) : null;
    this.send(
      res,
      method,
      response ?? { status: 404, contentType: JSON_TYPE, body: JSON.stringify({ error: 'not found', path: pathname }) },
    );
  }

  private find(pathname: string): Route | undefined {
    const exact = this.exact.get(pathname);
    if (exact) return exact;
    for (const p of this.prefixes) if (pathname.startsWith(p.prefix)) return p.route;
    return undefined;
  }

  /** Constant-time check of `Authorization: Bearer <token>`; always true when no token is configured. */
  private authorized(header: string | undefined): boolean {
    if (this.tokenDigest === null) return true;
    if (header === undefined) return false;
    const match = /^Bearer[ \t]+(.+)$/i.exec(header.trim());
    if (match === null) return false;
    return timingSafeEqual(sha256(match[1]!), this.tokenDigest);
  }

  private send(res: ServerResponse, method: string, response: HttpResponse): void {
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    res.statusCode = response.status;
    res.setHeader('Content-Type', response.contentType);
    if (body instanceof Uint8Array) res.setHeader('Content-Length', body.byteLength);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (response.headers) for (const [k, v] of Object.entries(response.headers)) res.setHeader(k, v);
    if (body instanceof Uint8Array) {
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    if (method === 'HEAD') {
      void body[Symbol.asyncIterator]().return?.();
      res.end();
      return;
    }
    // Backpressure: the next chunk is asked for once the socket has taken the last; a client that
    // disconnects ends the iteration (and whatever produces it).
    pipeline(Readable.from(body, { objectMode: false }), res).catch((error: unknown) => {
      // A client that leaves early is not a server failure.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') this.onError(error);
      res.destroy();
    });
  }
}

/**
 * True when a server without a token may answer a request with this `Host`: none given, an IP
 * address, a single-label name (`localhost`, a container's name), a `.localhost` name, or the host
 * the server was configured with. A name with a dot could be an attacker's domain resolved to this
 * machine (DNS rebinding) so that a browser page reads the answers; a token closes that too.
 */
export function hostNeedsNoToken(header: string | undefined, configuredHost: string): boolean {
  if (header === undefined || header === '') return true;
  const host = hostName(header.trim().toLowerCase());
  if (isIP(host) !== 0 || !host.includes('.') || host.endsWith('.localhost')) return true;
  return host === configuredHost.toLowerCase();
}

/** The name of a `Host` header without its port: `[::1]:9464` → `::1`, `a.b:80` → `a.b`, a trailing dot dropped. */
function hostName(header: string): string {
  const close = header.indexOf(']');
  const name = header.startsWith('[') ? header.slice(1, close < 0 ? undefined : close) : header.replace(/:\d*$/, '');
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/** Status line of the answer to a request Node could not parse. */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}
