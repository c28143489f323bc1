// docker-compose.yml checked without a Docker engine: valid against the Compose Specification schema, every
// mounted path and build input exists, and the services are wired to each other the way docs/stack.md says.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from './stackFiles.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

interface Service {
  build?: string | { context: string; dockerfile?: string };
  image?: string;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  command?: string[];
  ports?: string[];
  secrets?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  secrets?: Record<string, { environment?: string }>;
}

const composeText = readFileSync(join(REPO, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as Compose;

function validator() {
  const schema = JSON.parse(readFileSync(join(REPO, 'test', 'fixtures', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
  // The schema names draft-07 by an https URL Ajv does not know; its keywords are plain draft-07.
  delete schema.$schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const validate = validator();
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('is rejected by the schema when it has a mistake (the check can fail)', () => {
    const validate = validator();
    const broken = structuredClone(compose) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services.prometheus!.healthcheck = { test: ['CMD', 'true'], intervall: '5s' };
    expect(validate(broken)).toBe(false);
  });

  it('mounts only paths that exist in the repository, and named volumes it declares', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(REPO, source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('builds the bot from the Dockerfile at the root, whose inputs exist, running the CLI demo on all interfaces', () => {
    expect(compose.services.bot?.build).toBe('.');
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of m[1]!.split(/\s+/)) expect(existsSync(join(REPO, source)), `Dockerfile COPY ${source}`).toBe(true);
    }
    expect(dockerfile).toContain('CMD ["node", "dist/cli/main.js", "demo"]');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['poseidon-monitor']).toBe('./dist/cli/main.js');
    expect(compose.services.bot?.environment?.POSEIDON_METRICS_HOST).toBe('0.0.0.0');
  });

  it('gives every service a health check and wires Prometheus, Alertmanager and Grafana together', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['alertmanager', 'bot', 'grafana', 'prometheus']);
    for (const [name, service] of Object.entries(compose.services)) expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);

    const prometheus = parse(readFileSync(join(REPO, 'prometheus', 'prometheus.yml'), 'utf8')) as {
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const botJob = prometheus.scrape_configs.find((c) => c.job_name === 'poseidon-bot');
    expect(botJob?.static_configs[0]?.targets).toEqual([`bot:${compose.services.bot?.environment?.POSEIDON_METRICS_PORT}`]);
    expect(prometheus.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);

    const datasources = parse(readFileSync(join(REPO, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: { url: string; type: string }[];
    };
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });

    const providers = parse(readFileSync(join(REPO, 'grafana', 'provisioning', 'dashboards', 'poseidon.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dashboardMount = compose.services.grafana?.volumes?.find((v) => v.startsWith('./grafana/dashboards:'));
    expect(dashboardMount?.split(':')[1]).toBe(providers.providers[0]?.options.path);
  });

  it('routes every Alertmanager receiver it names', () => {
    const am = parse(readFileSync(join(REPO, 'alertmanager', 'alertmanager.yml'), 'utf8')) as {
      route: { receiver: string; routes?: { receiver: string }[] };
      receivers: { name: string }[];
    };
    const names = am.receivers.map((r) => r.name);
    for (const receiver of [am.route.receiver, ...(am.route.routes ?? []).map((r) => r.receiver)]) expect(names).toContain(receiver);
  });

  it('is safe by default: loopback ports, no lifecycle API, a required Grafana password and bot token', () => {
    for (const [name, service] of Object.entries(compose.services))
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^\$\{STACK_BIND_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
    expect(composeText).not.toContain('enable-lifecycle');
    expect(compose.services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
    expect(compose.services.bot?.environment?.POSEIDON_API_TOKEN).toMatch(/^\$\{POSEIDON_API_TOKEN:\?.+\}$/);
    // Prometheus gets the same token as a file, which prometheus.yml's bot job reads.
    expect(compose.secrets?.poseidon_api_token?.environment).toBe('POSEIDON_API_TOKEN');
    expect(compose.services.prometheus?.secrets).toEqual(['poseidon_api_token']);
    expect(readFileSync(join(REPO, 'prometheus', 'prometheus.yml'), 'utf8')).toContain('credentials_file: /run/secrets/poseidon_api_token');
  });
});
