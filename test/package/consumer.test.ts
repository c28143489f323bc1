// The package as a user gets it: `npm pack`, a real `npm install` of the tarball into a fresh project, the README's
// integration example compiled by a strict TypeScript (NodeNext and bundler) and run by Node, `require()` from a
// CommonJS file, and the CLI through npx.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MINUTES = 60_000;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;

// npm ships with Node, so a machine without it is a broken install: skipped locally, a failure under CI.
const npmRuns = spawnSync('npm', ['--version'], { stdio: 'ignore' }).status === 0;
if (!npmRuns && process.env.CI) throw new Error('npm does not run, and CI is set: the package test cannot be skipped');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (or its deadline) and collects its output; never throws on a non-zero exit. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = MINUTES): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...cleanEnv(), ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The test's environment without POSEIDON_* variables, nor what `npm test` sets about this repository (its package
 * fields, its script, its root as the local prefix); npm's own settings (registry, cache) stay.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(POSEIDON_|npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$)/.test(key)) env[key] = value;
  }
  return env;
}

/** The README's first TypeScript block that imports the package: the integration example a user copies. */
function readmeExample(readme: string): string {
  for (const [, block] of readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    if (block!.includes("from 'poseidon-monitor'")) return block!;
  }
  throw new Error("README.md has no ```ts block importing 'poseidon-monitor'");
}

// The example calls the bot's own exchange code; this stands in for it.
const BOT_CODE = `
async function placeOrder(): Promise<{ id: string }> {
  return { id: 'order-1' };
}
`;

const strict = { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'] };
const TSCONFIGS = {
  NodeNext: { compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' }, files: ['bot.ts'] },
  bundler: { compilerOptions: { ...strict, module: 'ESNext', moduleResolution: 'bundler', noEmit: true }, files: ['bot.ts'] },
};

// Loaded with require(), then with import(): one module instance, so one ValidationError class.
const CJS_CONSUMER = `
const monitor = require('poseidon-monitor');
let refused = null;
try {
  new monitor.MonitoringConfig({ metricsPort: -1 });
} catch (error) {
  refused = error;
}
import('poseidon-monitor').then((esm) => {
  const same = esm.ValidationError === monitor.ValidationError && esm.MonitoringSystem === monitor.MonitoringSystem;
  const isValidationError = refused instanceof monitor.ValidationError && refused instanceof esm.ValidationError;
  process.stdout.write(JSON.stringify({ same, isValidationError, field: refused && refused.field }));
});
`;

/** A prebuilt better-sqlite3 binary from this checkout, offered to the consumer's install instead of a compile. */
async function localPrebuild(dir: string): Promise<NodeJS.ProcessEnv> {
  const version = manifest.dependencies['better-sqlite3'];
  const binary = join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  const installed = join(ROOT, 'node_modules/better-sqlite3/package.json');
  if (!existsSync(binary) || JSON.parse(readFileSync(installed, 'utf8')).version !== version) return {};
  mkdirSync(dir);
  // The name prebuild-install looks for: a release asset of this version for this Node ABI and platform.
  const asset = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tar = await run(
    'tar',
    ['-czf', join(dir, asset), '-C', join(ROOT, 'node_modules/better-sqlite3'), 'build/Release/better_sqlite3.node'],
    ROOT,
  );
  return tar.code === 0 ? { npm_config_better_sqlite3_local_prebuilds: dir } : {};
}

/** Starts a monitor of the installed package and prints the status of each of the console's files. */
const CONSOLE_CHECK = `import { MonitoringSystem } from 'poseidon-monitor';
const monitor = new MonitoringSystem({ metricsPort: 0, storage: 'memory', logFile: null, logConsole: false, installSignalHandlers: false });
await monitor.start();
const status = {};
for (const path of ['/', '/console/app.js', '/console/app.css', '/console/uplot.js', '/console/uplot.css']) {
  status[path] = (await fetch(monitor.baseUrl + path)).status;
}
await monitor.stop();
console.log(JSON.stringify(status));
`;

describe.skipIf(!npmRuns)('the packed package in a fresh project', () => {
  let work = '';
  let project = '';
  let packed: string[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'poseidon-package-'));
    project = join(work, 'bot');
    mkdirSync(project);
    // `npm pack` runs the prepack script, which builds dist/.
    const pack = await run('npm', ['pack', '--json', '--pack-destination', work], ROOT, {}, 5 * MINUTES);
    expect(pack.code, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    packed = info.files.map((file) => file.path);

    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer-bot', private: true, type: 'module' }));
    const install = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(work, info.filename),
        `typescript@${manifest.devDependencies.typescript}`,
        `@types/node@${manifest.devDependencies['@types/node']}`,
      ],
      project,
      await localPrebuild(join(work, 'prebuilds')),
      8 * MINUTES,
    );
    expect(install.code, install.stderr).toBe(0);

    writeFileSync(join(project, 'bot.ts'), readmeExample(readFileSync(join(ROOT, 'README.md'), 'utf8')) + BOT_CODE);
    for (const [name, tsconfig] of Object.entries(TSCONFIGS))
      writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(tsconfig));
    writeFileSync(join(project, 'consumer.cjs'), CJS_CONSUMER);
  }, 15 * MINUTES);

  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });

  it('packs the library, the stack files and the docs, and nothing of the tests, benchmarks or sources', () => {
    for (const path of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'docker-compose.yml',
      'Dockerfile',
      'alertmanager/alertmanager.yml',
      'prometheus/prometheus.yml',
      'grafana/PANELS.md',
    ]) {
      expect(packed, path).toContain(path);
    }
    for (const dir of ['docs/', 'prometheus/rules/', 'grafana/dashboards/', 'grafana/provisioning/']) {
      expect(
        packed.some((path) => path.startsWith(dir)),
        dir,
      ).toBe(true);
    }
    for (const dir of ['src/', 'test/', 'bench/', 'examples/', 'scripts/', 'grafana/src/', '.ci/', 'node_modules/']) {
      expect(
        packed.filter((path) => path.startsWith(dir)),
        dir,
      ).toEqual([]);
    }
    // prometheus/tests/ stays: the docs tell a user to run those promtool rule tests.
    expect(packed.filter((path) => /\.test\.[cm]?[jt]s$|tsconfig|vitest|biome/.test(path))).toEqual([]);
  });

  it('packs every file the compose stack mounts or builds from', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[] }>;
    };
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('./')) continue;
        const path = source.slice(2);
        expect(
          packed.some((file) => file === path || file.startsWith(`${path}/`)),
          `${name}: ${source}`,
        ).toBe(true);
      }
    }
  });

  it('publishes declarations free of internals, importing only packages whose types the consumer gets', () => {
    // The exported names, without the module paths they come from.
    const index = readFileSync(join(project, 'node_modules/poseidon-monitor/dist/index.d.ts'), 'utf8').replace(/from '[^']*'/g, '');
    for (const internal of ['HistoryStore', 'SqliteBackend', 'Telemetry', 'LogSink', 'HttpServer', 'EventLog']) {
      expect(index, internal).not.toMatch(new RegExp(`\\b${internal}\\b`));
    }
    const bare = new Set<string>();
    for (const path of packed.filter((file) => file.endsWith('.d.ts'))) {
      const text = readFileSync(join(project, 'node_modules/poseidon-monitor', path), 'utf8');
      expect(text, path).not.toContain('@internal');
      for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"./][^'"]*)['"]/g)) bare.add(specifier!);
    }
    for (const specifier of bare) {
      if (specifier.startsWith('node:')) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
      const own = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
      const typesPackage = `@types/${name.replace(/^@/, '').replace('/', '__')}`;
      const typed = 'types' in own || 'typings' in own || existsSync(join(project, 'node_modules', name, 'index.d.ts'));
      expect(typed || typesPackage in manifest.dependencies, `${specifier}: a dependency with types`).toBe(true);
    }
  });

  it.each(Object.keys(TSCONFIGS))(
    'compiles the README example with strict, skipLibCheck false and %s resolution',
    async (name) => {
      const tsc = await run('node', ['node_modules/typescript/bin/tsc', '-p', `tsconfig.${name}.json`], project);
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.code).toBe(0);
    },
    2 * MINUTES,
  );

  it(
    'runs the compiled README example with Node, quietly, to exit 0',
    async () => {
      if (!existsSync(join(project, 'out/bot.js'))) {
        await run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.NodeNext.json'], project);
      }
      const example = await run('node', ['out/bot.js'], project, {
        POSEIDON_METRICS_PORT: '0',
        POSEIDON_DB_URL: `sqlite:///${join(work, 'bot.db')}`,
        POSEIDON_LOG_FILE: join(work, 'logs', 'bot.log'),
        POSEIDON_LOG_CONSOLE: 'false',
      });
      expect(example.stdout).toBe('');
      // The example prints the refused trade's message itself.
      expect(example.stderr).toMatch(/^Invalid quantity: NaN; expected [^\n]+\n$/);
      expect(example.code).toBe(0);
      expect(existsSync(join(work, 'bot.db'))).toBe(true);
    },
    2 * MINUTES,
  );

  it(
    'loads with require() from a CommonJS file, the same classes as import()',
    async () => {
      const cjs = await run('node', ['consumer.cjs'], project);
      expect(cjs.stderr).toBe('');
      expect(cjs.code).toBe(0);
      expect(JSON.parse(cjs.stdout)).toEqual({ same: true, isValidationError: true, field: 'metricsPort' });
    },
    MINUTES,
  );

  it(
    'serves the console from the installed package: its page, script and uPlot, nothing to build',
    async () => {
      writeFileSync(join(project, 'console.mjs'), CONSOLE_CHECK);
      const check = await run('node', ['console.mjs'], project);
      expect(check.stderr).toBe('');
      expect(JSON.parse(check.stdout)).toEqual({
        '/': 200,
        '/console/app.js': 200,
        '/console/app.css': 200,
        '/console/uplot.js': 200,
        '/console/uplot.css': 200,
      });
    },
    MINUTES,
  );

  it(
    'runs the CLI through npx',
    async () => {
      const help = await run('npx', ['--no-install', 'poseidon-monitor', '--help'], project);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/Usage: poseidon-monitor/);
    },
    MINUTES,
  );
});
