// CI's dependency audit: fails on a high or critical advisory in a production dependency.
// When the registry's advisory service cannot be reached (offline mirrors and proxies often refuse
// its POST), it says so plainly and does not fail the build: no answer is not a finding.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', shell: process.platform === 'win32' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(`npm audit printed no JSON (exit ${run.status}):\n${run.stderr}`);
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities;
if (counts === undefined) {
  const reason = report.message ?? report.error?.summary ?? 'no vulnerability metadata in the answer';
  console.warn(`WARNING: the advisory service could not be queried (${reason}); dependency audit NOT performed.`);
  process.exit(0);
}
const serious = (counts.high ?? 0) + (counts.critical ?? 0);
console.log(
  `production dependencies: ${Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}`,
);
if (serious > 0) {
  console.error(`${serious} high or critical advisories: run "npm audit --omit=dev" for details`);
  process.exit(1);
}
