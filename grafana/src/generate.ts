// `npm run dashboards`: writes the generated dashboards and rule files; the drift test compares them with renderStack().

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performanceDashboard, summaryDashboard, tradingDashboard } from './dashboards.js';
import { alertRulesYaml, recordingRulesYaml } from './rules.js';

/** The repository root (this file is at grafana/src/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every generated file: path relative to the repository root → exact contents. */
export function renderStack(): Map<string, string> {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  return new Map([
    ['grafana/dashboards/poseidon-summary.json', json(summaryDashboard())],
    ['grafana/dashboards/poseidon-trading.json', json(tradingDashboard())],
    ['grafana/dashboards/poseidon-performance.json', json(performanceDashboard())],
    ['prometheus/rules/poseidon-recording.yml', recordingRulesYaml()],
    ['prometheus/rules/poseidon-alerts.yml', alertRulesYaml()],
  ]);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [path, text] of renderStack()) {
    writeFileSync(join(REPO_ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
