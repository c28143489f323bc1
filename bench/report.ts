// Renders benchmark results as the markdown tables of docs/benchmarks.md.

import type { SuiteResult } from './harness.js';

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** One table per suite: trial × metric with median and min–max, then the target verdicts. */
export function toMarkdown(facts: Record<string, string>, results: readonly SuiteResult[], seconds: number): string {
  const lines: string[] = [];
  lines.push(`Run: ${facts.date} · Node ${facts.node} · ${facts.cpu} × ${facts.cores} · ${facts.platform} · load ${facts.loadavg}`);
  lines.push(`Variant: ${facts.variant}, children run ${facts.mode}, ${Math.round(seconds)} s in all.`, '');
  for (const r of results) {
    lines.push(`### ${r.title}`, '', `${r.rounds} round(s), alternated; median [min–max].`, '');
    if (r.notes.length > 0) lines.push(...r.notes.map((n) => `- ${n}`), '');
    const metricKeys = [...new Set(Object.values(r.figures).flatMap((f) => Object.keys(f)))];
    if (metricKeys.length === 0) lines.push('No successful round.', '');
    else lines.push(`| trial | ${metricKeys.join(' | ')} |`, `| --- | ${metricKeys.map(() => '---').join(' | ')} |`);
    for (const [trial, byKey] of Object.entries(r.figures)) {
      if (metricKeys.length === 0) break;
      const cells = metricKeys.map((k) => {
        const s = byKey[k];
        return s ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : '–';
      });
      lines.push(`| ${trial} | ${cells.join(' | ')} |`);
    }
    lines.push('');
    for (const b of r.bounds) {
      const verdict = b.met !== null ? (b.met ? '**met**' : '**missed**') : b.value === null ? '**no data**' : '';
      lines.push(`- ${b.name}: ${b.value === null ? '–' : fmt(b.value)} (target ${b.limit}) ${verdict}`);
    }
    for (const [trial, f] of Object.entries(r.facts)) {
      if (Object.keys(f).length > 0) lines.push(`- ${trial}: ${JSON.stringify(f)}`);
    }
    for (const f of r.failures) lines.push(`- round ${f.round} ${f.trial} failed: ${f.message.slice(0, 300)}`);
    lines.push('');
  }
  return lines.join('\n');
}
