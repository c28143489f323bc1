// InProcessReader: the JSON API's views computed on the caller's thread, for history without a file (memory).

import { setImmediate as nextTurn } from 'node:timers/promises';
import { DashboardData } from '../../analytics/DashboardData.js';
import type { DashboardReader } from './DashboardReader.js';
import { type LiveSources, snapshotSources, takeSnapshot } from './snapshot.js';
import { type ExportFormat, exportPages, renderView, type ViewRequest } from './views.js';

/** Options of {@link InProcessReader}. */
export interface InProcessReaderOptions {
  readonly live: LiveSources;
  /** Changes whenever something is recorded (an answer is fresh while it has not changed). */
  readonly version: () => number;
  /** While recording goes on, an answer is reused for this long (real time) before it is computed again. @default 1000 */
  readonly reuseMillis?: number;
}

const MAX_CACHED = 64;

interface Cached {
  readonly at: number;
  readonly version: number;
  readonly now: number;
  readonly bytes: Promise<Uint8Array>;
}

/**
 * For memory history (small by design) there is no file for a reader thread to open, so the views
 * run here, bounded: per-symbol tables capped, each distinct view computed at most once per
 * `reuseMillis` while the bot records (concurrent requests for it share one computation), and an
 * export's pages produced one per turn of the event loop.
 */
export class InProcessReader implements DashboardReader {
  private readonly cache = new Map<string, Cached>();
  private readonly encoder = new TextEncoder();
  private readonly reuseMillis: number;

  constructor(private readonly options: InProcessReaderOptions) {
    this.reuseMillis = options.reuseMillis ?? 1000;
  }

  view(request: ViewRequest, symbolLimit: number): Promise<Uint8Array> {
    const key = JSON.stringify([request, symbolLimit]);
    const version = this.options.version();
    const now = this.options.live.dashboard.clock.now();
    const at = performance.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && ((hit.version === version && hit.now === now) || at - hit.at < this.reuseMillis)) return hit.bytes;
    // On the next turn, so a burst of requests is answered from one computation.
    const bytes = nextTurn().then(() =>
      this.encoder.encode(renderView(this.dashboards(symbolLimit, request.view === 'performance'), request)),
    );
    // Bounded: `hours` takes many spellings, each a key.
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { at, version, now, bytes });
    bytes.catch(() => {
      if (this.cache.get(key)?.bytes === bytes) this.cache.delete(key);
    });
    return bytes;
  }

  async export(format: ExportFormat, symbolLimit: number): Promise<AsyncIterable<Uint8Array>> {
    await nextTurn();
    const pages = exportPages(this.dashboards(symbolLimit, true).exportObject(), format);
    const first = pages.next();
    const encoder = this.encoder;
    return (async function* () {
      try {
        if (first.done) return;
        yield encoder.encode(first.value);
        for (;;) {
          await nextTurn();
          const page = pages.next();
          if (page.done) return;
          yield encoder.encode(page.value);
        }
      } finally {
        pages.return();
      }
    })();
  }

  async stop(): Promise<void> {
    this.cache.clear();
  }

  /** Dashboards over a copy of the live figures, so reading them never fills or changes the bot's own. */
  private dashboards(symbolLimit: number, withResources: boolean): DashboardData {
    const live = this.options.live;
    const history = live.dashboard.history;
    return new DashboardData(
      snapshotSources(takeSnapshot(live, withResources), () => history.analytics()),
      { symbolLimit },
    );
  }
}
