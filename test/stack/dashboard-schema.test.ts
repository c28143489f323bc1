// The generated dashboards type-checked against @grafana/schema of the Grafana version compose runs: no field unknown to it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD_DIR, dashboardFiles, REPO } from './stackFiles.js';

const SCHEMA_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
  .devDependencies['@grafana/schema'];

/**
 * TypeScript's complaints about each of `dashboards` (name → JSON text) given as a `Dashboard` of @grafana/schema,
 * unknown fields included (excess-property checks of object literals). The schema's enums are compared by
 * their values (JSON holds `"absolute"`, not `ThresholdsMode.Absolute`). One program for all: the schema is read once.
 */
function typeErrors(dashboards: Record<string, string>): Record<string, string[]> {
  const dir = join(REPO, 'test', 'stack');
  const sources = new Map(
    Object.entries(dashboards).map(([name, json]) => [
      join(dir, `__${name}.check.ts`),
      "import type { Dashboard } from '@grafana/schema';\n" +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text, not a JavaScript template
        'type Loose<T> = T extends string ? `${T}` : T extends readonly (infer U)[] ? Loose<U>[] : T extends object ? { [K in keyof T]: Loose<T[K]> } : T;\n' +
        `export const dashboard: Loose<Dashboard> = ${json};\n`,
    ]),
  );
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => sources.get(f) ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => sources.has(f) || exists(f);
  const program = ts.createProgram([...sources.keys()], options, host);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const out: Record<string, string[]> = {};
  for (const [name] of Object.entries(dashboards)) {
    const file = join(dir, `__${name}.check.ts`);
    out[name] = diagnostics
      .filter((d) => d.file?.fileName === file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]!);
  }
  return out;
}

describe('dashboards against @grafana/schema', () => {
  it('pins the Grafana image compose runs to the @grafana/schema version the tests check against', () => {
    const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: { grafana: { image: string } } };
    expect(compose.services.grafana.image).toBe(`grafana/grafana:${SCHEMA_VERSION}`);
  });

  it('accepts every dashboard, and rejects one with a field the schema does not know (the check can fail)', () => {
    const shipped = Object.fromEntries(dashboardFiles().map((f) => [f, readFileSync(join(DASHBOARD_DIR, f), 'utf8')]));
    const broken = JSON.parse(Object.values(shipped)[0]!) as { templating: { list: object[] } };
    broken.templating.list[1] = { ...broken.templating.list[1], auto_min: '10s' };
    const errors = typeErrors({ ...shipped, broken: JSON.stringify(broken) });
    expect(errors.broken?.join('\n')).toContain('auto_min');
    delete errors.broken;
    expect(errors).toEqual(Object.fromEntries(dashboardFiles().map((f) => [f, []])));
  }, 120_000);
});
