// Test helper: parses Prometheus text exposition into samples, so tests assert exact values and label sets.

/** One sample line of the exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const IDENTITY = new Set(['bot', 'strategy', 'exchange']);

/** Every sample of the text, in order. Throws on a line that is not a comment, blank or a sample. */
export function parseSamples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const raw = m[3]!;
    out.push({ name: m[1]!, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return out;
}

/** Samples of `name` whose labels, besides the bot identity labels, are exactly `labels`. */
export function find(text: string, name: string, labels: Record<string, string> = {}): Sample[] {
  const want = Object.entries(labels);
  return parseSamples(text).filter((s) => {
    if (s.name !== name) return false;
    const own = Object.keys(s.labels).filter((k) => !IDENTITY.has(k));
    return own.length === want.length && want.every(([k, v]) => s.labels[k] === v);
  });
}

/** The value of the one sample of `name` with exactly `labels` (besides identity), or undefined when absent. Throws if several match. */
export function value(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(text, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** Metric family names declared by `# TYPE` lines, with their type, in order (duplicates kept). */
export function families(text: string): { name: string; type: string }[] {
  const out: { name: string; type: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m) out.push({ name: m[1]!, type: m[2]! });
  }
  return out;
}
