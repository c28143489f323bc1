// The JSON API's dashboard views as text: one rendering, run on the reader thread or in process.

import type { DashboardData } from '../../analytics/DashboardData.js';
import type { DashboardExport } from '../../analytics/dashboardTypes.js';
import { toCsv } from '../../analytics/toCsv.js';

/** A dashboard view the API serves from history. */
export type ViewRequest =
  | { readonly view: 'summary' }
  | { readonly view: 'trading' | 'performance'; readonly hours: number | undefined }
  | { readonly view: 'hourly-report'; readonly hour: string | undefined };

export type ExportFormat = 'json' | 'csv';

/** Characters per export page (a page is sent as one chunk of the response). */
export const EXPORT_PAGE_CHARS = 64 * 1024;

/** The view as JSON text, exactly as the in-process dashboard method's result would stringify. */
export function renderView(dashboards: DashboardData, request: ViewRequest): string {
  switch (request.view) {
    case 'summary':
      return JSON.stringify(dashboards.getDashboardSummary());
    case 'trading':
      return JSON.stringify(dashboards.getTradingDashboard({ hours: request.hours }));
    case 'performance':
      return JSON.stringify(dashboards.getPerformanceDashboard({ hours: request.hours }));
    case 'hourly-report':
      return JSON.stringify(dashboards.getHourlyReport(request.hour));
  }
}

/**
 * The export document of `data` (`exportObject()`, every figure read at once: one consistent view of
 * history) in pages of at most {@link EXPORT_PAGE_CHARS} characters, the same text as
 * `exportDashboardData(format)`; the JSON text is produced section by section as pages are asked for.
 */
export function* exportPages(data: DashboardExport, format: ExportFormat): Generator<string, void, undefined> {
  if (format === 'csv') {
    yield* pages(toCsv(data));
    return;
  }
  const entries = Object.entries(data);
  let pending = '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    // JSON.stringify(data, null, 2) indents a nested value by two more spaces on every line; the
    // only raw line breaks in its text are the ones it adds (a string's are escaped).
    pending += `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${i < entries.length - 1 ? ',' : ''}\n`;
    if (pending.length >= EXPORT_PAGE_CHARS) {
      const cut = safeCut(pending, pending.length - (pending.length % EXPORT_PAGE_CHARS));
      yield* pages(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
  }
  yield* pages(`${pending}}`);
}

/** `text` in pages, never splitting a surrogate pair (each page is encoded to UTF-8 on its own). */
function* pages(text: string): Generator<string, void, undefined> {
  for (let start = 0; start < text.length; ) {
    const end = safeCut(text, Math.min(text.length, start + EXPORT_PAGE_CHARS));
    yield text.slice(start, end);
    start = end;
  }
}

function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return at < text.length && code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}
