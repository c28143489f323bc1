// The console's static files (page, script, styles, uPlot), read once per process and served with strict security headers.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpResponse } from '../HttpServer.js';

/**
 * The directory of this package (the one whose package.json is named poseidon-monitor), found
 * upwards from this module whether it runs from dist/, from src/ or from another build.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'poseidon-monitor') return dir;
    const parent = dirname(dir);
    if (parent === dir) return fileURLToPath(new URL('../../../', import.meta.url));
    dir = parent;
  }
}

/** Where `npm run build` writes the page (scripts/build-console.mjs). */
export function consoleBuildDir(): string {
  return join(packageRoot(), 'dist', 'console');
}

/**
 * The page's policy: nothing inline, nothing from another origin, no framing. uPlot sizes its
 * elements through the CSSOM, which `style-src 'self'` allows.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** The URL paths of the console and the file each serves. */
const FILES: readonly { readonly path: string; readonly file: () => string; readonly contentType: string }[] = [
  { path: '/', file: () => join(consoleBuildDir(), 'index.html'), contentType: 'text/html; charset=utf-8' },
  { path: '/console/app.js', file: () => join(consoleBuildDir(), 'app.js'), contentType: 'text/javascript; charset=utf-8' },
  { path: '/console/app.css', file: () => join(consoleBuildDir(), 'app.css'), contentType: 'text/css; charset=utf-8' },
  { path: '/console/uplot.js', file: () => uplotFile('uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  { path: '/console/uplot.css', file: () => uplotFile('uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
];

/** uPlot is a runtime dependency: its files are found wherever npm installed it. */
function uplotFile(name: string): string {
  return createRequire(import.meta.url).resolve(`uplot/dist/${name}`);
}

/** Each console path with its ready response; a missing build answers 503 saying how to build it. */
export type ConsoleAssets = ReadonlyMap<string, HttpResponse>;

let loaded: ConsoleAssets | null = null;

/** Reads the console's files once per process (a few tens of KB), so serving them is a map lookup. */
export function consoleAssets(): ConsoleAssets {
  if (loaded !== null) return loaded;
  const assets = new Map<string, HttpResponse>();
  for (const { path, file, contentType } of FILES) {
    let body: Buffer;
    try {
      body = readFileSync(file());
    } catch {
      assets.set(path, {
        status: 503,
        contentType: 'text/plain; charset=utf-8',
        body: 'the console is not built: run `npm run build` in the poseidon-monitor package\n',
        headers: SECURITY_HEADERS,
      });
      continue;
    }
    assets.set(path, { status: 200, contentType, body, headers: SECURITY_HEADERS });
  }
  loaded = assets;
  return assets;
}
