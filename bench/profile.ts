// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, with file:line.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './harness.js';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  samples?: number[];
}

/** Self samples per function (file:function:line), largest first, with their share of all samples. */
export function topSelf(profile: CpuProfile, limit = 25): { where: string; percent: number }[] {
  const bySite = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const f = node.callFrame;
    const file = f.url.startsWith('file://') ? relative(ROOT, new URL(f.url).pathname) : f.url || '(native)';
    const where = `${file}:${f.functionName || '(anonymous)'}:${f.lineNumber + 1}`;
    bySite.set(where, (bySite.get(where) ?? 0) + hits);
  }
  return [...bySite.entries()]
    .map(([where, hits]) => ({ where, percent: (100 * hits) / Math.max(1, total) }))
    .sort((a, b) => b.percent - a.percent)
    .slice(0, limit);
}

/** Self time per file (or package, for node_modules), largest first. */
export function bySource(profile: CpuProfile): { source: string; percent: number }[] {
  const bySrc = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const url = node.callFrame.url;
    let source = url === '' ? `(${node.callFrame.functionName || 'native'})` : url;
    if (url.startsWith('file://')) {
      const rel = relative(ROOT, new URL(url).pathname);
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
      source = pkg ? pkg[1]! : rel.replace(/^\.tmp\/bench-build\//, '');
    } else if (url.startsWith('node:')) source = url;
    bySrc.set(source, (bySrc.get(source) ?? 0) + hits);
  }
  return [...bySrc.entries()]
    .map(([source, hits]) => ({ source, percent: (100 * hits) / Math.max(1, total) }))
    .sort((a, b) => b.percent - a.percent);
}

if (process.argv[1]?.endsWith('profile.ts') || process.argv[1]?.endsWith('profile.js')) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: node --import tsx bench/profile.ts <file.cpuprofile> [top]');
    process.exit(1);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const limit = Number(process.argv[3] ?? 25);
  console.log('self time by source');
  for (const s of bySource(profile).slice(0, 15)) console.log(`${s.percent.toFixed(1).padStart(6)} %  ${s.source}`);
  console.log('\nself time by function');
  for (const s of topSelf(profile, limit)) console.log(`${s.percent.toFixed(1).padStart(6)} %  ${s.where}`);
}
