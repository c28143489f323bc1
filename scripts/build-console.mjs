// Builds the console page into dist/console/: the page's TypeScript bundled and minified by esbuild, its HTML and CSS copied.

import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/console/`;

/** Writes the page into `outDir` (dist/console/ by default). */
export async function buildConsole(outDir = out) {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [`${root}src/console/main.ts`],
    outfile: `${outDir}app.js`,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2022'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(`${root}src/console/index.html`, `${outDir}index.html`);
  copyFileSync(`${root}src/console/app.css`, `${outDir}app.css`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
