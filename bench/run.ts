// Runs every benchmark suite (`npm run bench`, or `npm run bench:quick`) and prints a markdown report.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { apiReadsSuite } from './apireads.js';
import { consoleSuite } from './console.js';
import { dashboardsSuite } from './dashboards.js';
import { eventLoopSuite } from './eventloop.js';
import { fileSuite } from './file.js';
import { isQuick, machineFacts, runMode, runSuite, type Suite, type SuiteResult } from './harness.js';
import { logTradeSuite } from './logtrade.js';
import { memorySuite } from './memory.js';
import { redisSuite } from './redis.js';
import { toMarkdown } from './report.js';
import { scrapeSuite } from './scrape.js';
import { startupSuite } from './startup.js';
import { systemSuite } from './system.js';
import { throughputSuite } from './throughput.js';

const ALL: Record<string, (quick: boolean) => Suite> = {
  logtrade: logTradeSuite,
  throughput: throughputSuite,
  eventloop: eventLoopSuite,
  scrape: scrapeSuite,
  dashboards: dashboardsSuite,
  memory: memorySuite,
  apireads: apiReadsSuite,
  console: consoleSuite,
  startup: startupSuite,
  system: systemSuite,
  file: fileSuite,
  redis: redisSuite,
};

// `--only=logtrade,scrape` runs a subset; `--out=file.md` also writes the markdown report there.
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const out = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const unknown = only?.filter((id) => !(id in ALL)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(ALL).join(', ')}`);
  process.exit(1);
}

const quick = isQuick();
const facts = { ...machineFacts(), mode: runMode(), variant: quick ? 'quick' : 'full' };
console.log(
  Object.entries(facts)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n'),
);
const started = Date.now();
const results: SuiteResult[] = [];
for (const [id, make] of Object.entries(ALL)) {
  if (only && !only.includes(id)) continue;
  results.push(await runSuite(make(quick)));
}
const markdown = toMarkdown(facts, results, (Date.now() - started) / 1000);
console.log(`\n${markdown}`);
if (out !== undefined) {
  const path = resolve(out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, markdown);
  console.log(`written to ${path}`);
}
// A failed round or a missed target is reported, not an error exit: benchmarks inform, they do not gate.
