// Builds dist/ before `npm start` when it is missing or older than any source file, so a fresh
// checkout starts with `npm install && npm start` and a rebuilt one does not wait for tsc again.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');

/** Newest modification time of any file under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(entry).mtimeMs;
  } catch {
    return 0;
  }
}

const inputs = Math.max(
  newest(join(root, 'src')),
  statSync(join(root, 'tsconfig.build.json')).mtimeMs,
  statSync(join(root, 'package.json')).mtimeMs,
);
if (builtAt() < inputs) {
  process.stdout.write('building dist/ (sources changed since the last build)…\n');
  // The TypeScript compiler of the dev dependencies, run with this Node: no shell, no global install.
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write('build failed: fix the errors above, or run "npm run build" to see them again\n');
    process.exit(result.status ?? 1);
  }
}
