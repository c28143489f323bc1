// Every POSEIDON_* variable set to garbage is refused naming the variable, or visibly used: never ignored.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MonitoringConfig, SETTINGS } from '../../src/config/MonitoringConfig.js';
import { ConfigurationError } from '../../src/errors.js';

const garbage = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    '-1',
    '1e999',
    'Infinity',
    '0x10',
    '1_000',
    'true1',
    '\u0000',
    '\n',
    'null',
    '__proto__',
    '🚀',
    '-0',
    '9'.repeat(40),
    // Hosts as URLs write them: a bracketed IPv6 address is used without its brackets.
    '[::1]',
    '[fe80::1]',
    '[::ffff:127.0.0.1]',
    '[]',
    '[::1',
    '::1]',
    '[localhost]',
  ),
  fc.double().map(String),
  fc.integer().map(String),
);

/** What a variable's accepted value must look like for the raw text: proof that it was used. */
function reflects(kind: string, raw: string, value: unknown): boolean {
  const text = raw.trim();
  switch (kind) {
    case 'boolean':
      return value === ['true', '1', 'yes', 'on'].includes(text.toLowerCase());
    case 'int':
    case 'number':
      return value === Number(text);
    case 'size':
      return typeof value === 'number' && /^\d/.test(text);
    case 'enum':
      return typeof value === 'string' && value.toLowerCase() === text.toLowerCase();
    case 'host':
      return value === (/^\[([0-9A-Fa-f:.]+)\]$/.exec(text)?.[1] ?? text);
    case 'nullableString':
      return text === '' ? value === null : value === text;
    case 'webhooks':
      return value === null ? text.replaceAll(',', '').trim() === '' : value === text;
    default:
      return value === text;
  }
}

describe('environment fuzz', () => {
  it('covers the 20 variables of the seed', () => {
    const names = SETTINGS.map((s) => s.env);
    for (const v of [
      'LOG_LEVEL',
      'LOG_FORMAT',
      'LOG_FILE',
      'LOG_MAX_SIZE',
      'LOG_BACKUP_COUNT',
      'METRICS_INTERVAL',
      'METRICS_RETENTION_DAYS',
      'HOURLY_GROWTH',
      'DASHBOARD_REFRESH',
      'MAX_DATA_POINTS',
      'STORAGE',
      'DB_URL',
      'PERFORMANCE_MONITORING',
      'LOOP_MONITORING',
      'TRACK_TRADES',
      'DETAILED_TRADES',
      'LIQUIDITY_TRACKING',
      'LIQUIDITY_INTERVAL',
      'ERROR_TRACKING',
      'CRITICAL_ALERTS',
    ]) {
      expect(names).toContain(`POSEIDON_${v}`);
    }
  });

  for (const setting of SETTINGS) {
    it(`${setting.env}: garbage is refused naming it, or used as given`, () => {
      fc.assert(
        fc.property(garbage, (raw) => {
          let config: MonitoringConfig;
          try {
            config = MonitoringConfig.fromEnv({ [setting.env]: raw });
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigurationError);
            expect((error as ConfigurationError).field).toBe(setting.env);
            expect((error as Error).message).toContain(setting.env);
            return;
          }
          const value = (config as unknown as Record<string, unknown>)[setting.key];
          expect(reflects(setting.kind, raw, value), `${setting.env}=${JSON.stringify(raw)} gave ${JSON.stringify(value)}`).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('POSEIDON_METRICS_HOST takes a URL-style bracketed IPv6 address without its brackets, and refuses half a bracket', () => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_METRICS_HOST: '[::1]' }).metricsHost).toBe('::1');
    expect(MonitoringConfig.fromEnv({ POSEIDON_METRICS_HOST: '::1' }).metricsHost).toBe('::1');
    for (const raw of ['[::1', '::1]', '[localhost]', '[]']) {
      expect(() => MonitoringConfig.fromEnv({ POSEIDON_METRICS_HOST: raw }), raw).toThrow(
        expect.objectContaining({ field: 'POSEIDON_METRICS_HOST' }),
      );
    }
  });

  it('an unknown option is refused by name', () => {
    expect(() => new MonitoringConfig({ logLevle: 'DEBUG' } as never)).toThrow(expect.objectContaining({ field: 'logLevle' }));
  });
});
