// MonitoringConfig: every POSEIDON_* variable's default, a valid value and a refused one, generated from SETTINGS.

import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { LogLevel, OutputFormat, StorageBackend } from '../../src/config/enums.js';
import { configurationMarkdown, ENV_VARIABLES, MonitoringConfig, parseDbUrl, SETTINGS } from '../../src/config/MonitoringConfig.js';
import { ConfigurationError, ValidationError } from '../../src/errors.js';

type Setting = (typeof SETTINGS)[number];

/** Runs `fn`, expecting a ConfigurationError; returns it so the test can look at its field and message. */
function refusal(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toBeInstanceOf(ValidationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError, but nothing was thrown');
}

function settingValue(config: MonitoringConfig, s: Setting): unknown {
  return (config as unknown as Record<string, unknown>)[s.key];
}

/**
 * For each setting: a raw variable value that is not the default, what it parses to, and a garbage
 * value. Derived from the setting's kind and range, so a new setting is covered without editing this.
 */
function samples(s: Setting): { raw: string; parsed: unknown; garbage: string } {
  switch (s.kind) {
    case 'enum': {
      const other = s.values!.find((v) => v !== s.def)!;
      // Variables are matched case-insensitively; options are not.
      const raw = other === other.toUpperCase() ? other.toLowerCase() : other.toUpperCase();
      return { raw: ` ${raw} `, parsed: other, garbage: 'not-a-choice' };
    }
    case 'boolean':
      return { raw: s.def ? 'off' : 'YES', parsed: !s.def, garbage: 'maybe' };
    case 'int': {
      const parsed = (s.min ?? 0) + 1;
      return { raw: String(parsed), parsed, garbage: '12abc' };
    }
    case 'number': {
      const parsed = (s.min ?? 0) * 2 + 0.5;
      return { raw: String(parsed), parsed, garbage: 'ten' };
    }
    case 'size':
      return { raw: '2MB', parsed: 2 * 1024 * 1024, garbage: '10 parsecs' };
    case 'nullableString':
      if (s.min !== undefined) return { raw: 'x'.repeat(s.min), parsed: 'x'.repeat(s.min), garbage: 'x'.repeat(s.min - 1) };
      return { raw: 'var/bot.log', parsed: 'var/bot.log', garbage: 'a\u0000b' };
    case 'host':
      return { raw: '0.0.0.0', parsed: '0.0.0.0', garbage: 'not a host!' };
    case 'dbUrl':
      return { raw: 'sqlite::memory:', parsed: 'sqlite::memory:', garbage: 'postgres://db/bot' };
    case 'redisUrl':
      return { raw: 'redis://10.0.0.5:6380/1', parsed: 'redis://10.0.0.5:6380/1', garbage: 'http://10.0.0.5' };
    case 'webhooks':
      return { raw: 'https://example.com/hook', parsed: 'https://example.com/hook', garbage: 'ftp://example.com/hook' };
    case 'label':
      return { raw: 'bot-1', parsed: 'bot-1', garbage: 'has spaces' };
    case 'string':
      return { raw: 'var/history', parsed: 'var/history', garbage: 'a\u0000b' };
    default:
      throw new Error(`no samples for kind ${s.kind} of ${s.env}: add them to this test`);
  }
}

describe("the seed's units", () => {
  it("POSEIDON_LIQUIDITY_INTERVAL is in minutes, default 15, as the seed's table says", () => {
    expect(new MonitoringConfig({}).liquidityIntervalMinutes).toBe(15);
    expect(MonitoringConfig.fromEnv({ POSEIDON_LIQUIDITY_INTERVAL: '15' }).liquidityIntervalMinutes).toBe(15);
    expect(MonitoringConfig.fromEnv({ POSEIDON_LIQUIDITY_INTERVAL: '0.5' }).liquidityIntervalMinutes).toBe(0.5);
    expect(() => MonitoringConfig.fromEnv({ POSEIDON_LIQUIDITY_INTERVAL: '2000' })).toThrow(/POSEIDON_LIQUIDITY_INTERVAL/);
  });
  it('POSEIDON_METRICS_INTERVAL is in seconds, default 60', () => {
    expect(new MonitoringConfig({}).metricsIntervalSeconds).toBe(60);
    expect(MonitoringConfig.fromEnv({ POSEIDON_METRICS_INTERVAL: '15' }).metricsIntervalSeconds).toBe(15);
  });
});

describe('the POSEIDON_* variables', () => {
  it('include the 20 variables of the seed and the ones this package adds', () => {
    const seed = [
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
    ].map((n) => `POSEIDON_${n}`);
    expect(seed).toHaveLength(20);
    // The seed's variables come first, in the seed's order.
    expect(ENV_VARIABLES.slice(0, 20)).toEqual(seed);
    for (const added of ['POSEIDON_METRICS_HOST', 'POSEIDON_METRICS_PORT', 'POSEIDON_API_TOKEN', 'POSEIDON_FLUSH_INTERVAL_MS']) {
      expect(ENV_VARIABLES).toContain(added);
    }
  });

  it('are each named once, with a description, and map to distinct options', () => {
    expect(new Set(ENV_VARIABLES).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(SETTINGS.length);
    for (const s of SETTINGS) {
      expect(s.env).toMatch(/^POSEIDON_[A-Z0-9_]+$/);
      expect(s.description.length).toBeGreaterThan(5);
    }
  });

  describe.each(SETTINGS.map((s) => [s.env, s] as const))('%s', (_env, s) => {
    const { raw, parsed, garbage } = samples(s);

    it('uses the default when unset', () => {
      const value = settingValue(MonitoringConfig.fromEnv({}), s);
      if (s.key === 'botName') {
        // The default bot name is the host name, made a valid label.
        expect(value).toMatch(/^[A-Za-z0-9._:/-]{1,64}$/);
      } else {
        expect(value).toEqual(s.def);
      }
    });

    it(`parses a valid value (${JSON.stringify(raw)})`, () => {
      expect(parsed).not.toEqual(s.def);
      expect(settingValue(MonitoringConfig.fromEnv({ [s.env]: raw }), s)).toEqual(parsed);
    });

    it(`refuses garbage (${JSON.stringify(garbage)}) naming the variable and what it accepts`, () => {
      const err = refusal(() => MonitoringConfig.fromEnv({ [s.env]: garbage }));
      expect(err.field).toBe(s.env);
      expect(err.accepted.length).toBeGreaterThan(0);
      expect(err.message).toContain(s.env);
      expect(err.message).toContain(err.accepted);
      for (const v of s.values ?? []) expect(err.message).toContain(v);
    });

    it('refuses the same garbage given as an option, naming the option', () => {
      // Options are typed: the raw string is wrong for numbers and booleans, and a bad string for the rest.
      const err = refusal(() => new MonitoringConfig({ [s.key]: garbage }));
      expect(err.field).toBe(s.key);
    });

    it('ignores the variable when the option is given', () => {
      const config = MonitoringConfig.fromEnv({ [s.env]: garbage }, { [s.key]: parsed });
      expect(settingValue(config, s)).toEqual(parsed);
    });
  });

  it.each(
    SETTINGS.filter((s) => s.kind === 'int' || s.kind === 'number').flatMap((s) => [
      ...(s.min !== undefined ? [[s.env, String(s.min - 1)] as const] : []),
      ...(s.max !== undefined ? [[s.env, String(s.max + 1)] as const] : []),
    ]),
  )('%s refuses the out-of-range %s', (env, raw) => {
    const err = refusal(() => MonitoringConfig.fromEnv({ [env]: raw }));
    expect(err.field).toBe(env);
    expect(err.message).toMatch(/>= -?[\d.]+/);
  });

  it.each(SETTINGS.filter((s) => s.kind === 'int').map((s) => [s.env] as const))('%s refuses a fraction', (env) => {
    expect(refusal(() => MonitoringConfig.fromEnv({ [env]: '10.5' })).field).toBe(env);
  });

  it.each(['NaN', 'Infinity', '-Infinity', '0x10', '1_000', ''])('numeric variables refuse %j', (raw) => {
    expect(refusal(() => MonitoringConfig.fromEnv({ POSEIDON_MAX_DATA_POINTS: raw })).field).toBe('POSEIDON_MAX_DATA_POINTS');
  });

  it.each([
    ['true', true],
    ['1', true],
    ['Yes', true],
    ['ON', true],
    ['false', false],
    ['0', false],
    ['no', false],
    [' off ', false],
  ])('booleans accept %j', (raw, expected) => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_TRACK_TRADES: raw }).enableTradeTracking).toBe(expected);
  });

  it.each([
    ['1048576', 1_048_576],
    ['512KB', 512 * 1024],
    ['512k', 512 * 1024],
    ['10 MiB', 10 * 1024 ** 2],
    ['1GB', 1024 ** 3],
    ['1.5kb', 1536],
  ])('POSEIDON_LOG_MAX_SIZE parses %j', (raw, bytes) => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_LOG_MAX_SIZE: raw }).logMaxSizeBytes).toBe(bytes);
  });

  it('POSEIDON_LOG_MAX_SIZE refuses a size below its minimum', () => {
    expect(refusal(() => MonitoringConfig.fromEnv({ POSEIDON_LOG_MAX_SIZE: '10' })).field).toBe('POSEIDON_LOG_MAX_SIZE');
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['[::]', '::'],
  ])('POSEIDON_METRICS_HOST %j binds %j', (raw, host) => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_METRICS_HOST: raw }).metricsHost).toBe(host);
  });

  it.each(['[::1', '::1]', '[localhost]', 'http://localhost', 'a b'])('POSEIDON_METRICS_HOST refuses %j', (raw) => {
    expect(refusal(() => MonitoringConfig.fromEnv({ POSEIDON_METRICS_HOST: raw })).field).toBe('POSEIDON_METRICS_HOST');
  });

  it('an empty POSEIDON_LOG_FILE means no log file', () => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_LOG_FILE: '' }).logFile).toBeNull();
  });

  it('POSEIDON_LOG_LEVEL accepts any case and gives the enum member', () => {
    expect(MonitoringConfig.fromEnv({ POSEIDON_LOG_LEVEL: 'debug' }).logLevel).toBe(LogLevel.DEBUG);
    expect(MonitoringConfig.fromEnv({ POSEIDON_LOG_FORMAT: 'Both' }).logFormat).toBe(OutputFormat.BOTH);
  });
});

describe('redis storage', () => {
  it('is accepted, with POSEIDON_REDIS_URL and POSEIDON_REDIS_PREFIX', () => {
    const config = MonitoringConfig.fromEnv({
      POSEIDON_STORAGE: 'redis',
      POSEIDON_REDIS_URL: 'rediss://user:pw@cache.internal:6380/2',
      POSEIDON_REDIS_PREFIX: 'desk1',
    });
    expect(config.storage).toBe(StorageBackend.REDIS);
    expect(config.redisUrl).toBe('rediss://user:pw@cache.internal:6380/2');
    expect(config.redisPrefix).toBe('desk1');
    expect(new MonitoringConfig({}).redisUrl).toBe('redis://127.0.0.1:6379/0');
  });

  it('a bad POSEIDON_REDIS_URL is refused naming the variable, its password hidden', () => {
    for (const raw of ['http://u:hunter2secret@host:6379', 'redis://', 'redis://u:hunter2secret@host/x', 'nonsense']) {
      const err = refusal(() => MonitoringConfig.fromEnv({ POSEIDON_STORAGE: 'redis', POSEIDON_REDIS_URL: raw }));
      expect(err.field).toBe('POSEIDON_REDIS_URL');
      expect(err.message).toContain('redis://');
      expect(err.message).not.toContain('hunter2secret');
    }
  });

  it('the URL is a secret: never in toJSON()', () => {
    const config = new MonitoringConfig({ storage: 'redis', redisUrl: 'redis://:hunter2secret@127.0.0.1:6379/0' });
    expect(JSON.stringify(config)).not.toContain('hunter2secret');
  });
});

describe('MonitoringConfig', () => {
  it('takes typed options as in the README', () => {
    const config = new MonitoringConfig({ logLevel: LogLevel.DEBUG, logFormat: OutputFormat.JSON, maxDataPoints: 50 });
    expect(config.logLevel).toBe('DEBUG');
    expect(config.logFormat).toBe('json');
    expect(config.maxDataPoints).toBe(50);
  });

  it('reads process.env by default, and only when asked', () => {
    const saved = process.env.POSEIDON_MAX_DATA_POINTS;
    process.env.POSEIDON_MAX_DATA_POINTS = '4242';
    try {
      expect(MonitoringConfig.fromEnv().maxDataPoints).toBe(4242);
      // The constructor alone never reads the environment.
      expect(new MonitoringConfig().maxDataPoints).toBe(10_000);
    } finally {
      if (saved === undefined) delete process.env.POSEIDON_MAX_DATA_POINTS;
      else process.env.POSEIDON_MAX_DATA_POINTS = saved;
    }
  });

  it('is frozen', () => {
    const config = new MonitoringConfig();
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { maxDataPoints: number }).maxDataPoints = 1;
    }).toThrow(TypeError);
  });

  it('refuses an unknown option by name, listing the known ones', () => {
    const err = refusal(() => new MonitoringConfig({ logLevle: 'DEBUG' } as never));
    expect(err.field).toBe('logLevle');
    expect(err.message).toContain('logLevel');
  });

  it.each([null, 'DEBUG', 42])('refuses %j as the options object', (options) => {
    expect(refusal(() => new MonitoringConfig(options as never)).field).toBe('options');
  });

  it('refuses options of the wrong type', () => {
    expect(refusal(() => new MonitoringConfig({ enableTradeTracking: 'true' as never })).field).toBe('enableTradeTracking');
    expect(refusal(() => new MonitoringConfig({ maxDataPoints: 1.5 })).field).toBe('maxDataPoints');
    expect(refusal(() => new MonitoringConfig({ metricsIntervalSeconds: Number.NaN })).field).toBe('metricsIntervalSeconds');
    expect(refusal(() => new MonitoringConfig({ logLevel: 'debug' as never })).field).toBe('logLevel');
    expect(refusal(() => new MonitoringConfig({ logFile: '' })).field).toBe('logFile');
  });

  it('takes an injected clock and refuses something that is not one', () => {
    const clock = new ManualClock(0);
    expect(new MonitoringConfig({ clock }).clock).toBe(clock);
    expect(new MonitoringConfig().clock).toBe(systemClock);
    expect(refusal(() => new MonitoringConfig({ clock: { now: () => 0 } as never })).field).toBe('clock');
  });

  it('hides the API token and webhooks in toJSON, and never shows a refused token', () => {
    const token = 's3cret-token-0123456789';
    const config = new MonitoringConfig({ apiToken: token, webhookUrls: 'https://example.com/hook?key=abc' });
    const json = JSON.stringify(config);
    expect(json).not.toContain(token);
    expect(json).not.toContain('key=abc');
    expect(config.toJSON().apiToken).toBe('[REDACTED]');
    expect(config.toJSON().maxDataPoints).toBe(10_000);
    const err = refusal(() => MonitoringConfig.fromEnv({ POSEIDON_API_TOKEN: 'short-secret' }));
    expect(err.message).not.toContain('short-secret');
  });

  it.each([
    ['sqlite:///poseidon_metrics.db', { kind: 'file', path: 'poseidon_metrics.db' }],
    ['sqlite:////srv/bot/metrics.db', { kind: 'file', path: '/srv/bot/metrics.db' }],
    ['sqlite::memory:', { kind: 'memory' }],
  ])('parseDbUrl(%j)', (url, location) => {
    expect(parseDbUrl('dbUrl', url)).toEqual(location);
  });

  it.each(['', 'sqlite://', 'sqlite:///', 'sqlite:///dir/', 'mysql://x/y', 'sqlite:///a.db?mode=ro'])('parseDbUrl refuses %j', (url) => {
    expect(refusal(() => parseDbUrl('POSEIDON_DB_URL', url)).field).toBe('POSEIDON_DB_URL');
  });
});

describe('configurationMarkdown', () => {
  it('has one row per setting, in table order, naming its variable, option and default, and flags the secrets', () => {
    const rows = configurationMarkdown()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(rows.map((r) => r.split(' | ')[0]!.slice(3, -1))).toEqual(ENV_VARIABLES);
    for (const [i, s] of SETTINGS.entries()) {
      expect(rows[i]).toContain(`\`${s.key}\``);
      expect(rows[i]!.includes('secret')).toBe(s.key === 'apiToken' || s.key === 'redisUrl' || s.key === 'webhookUrls');
    }
    expect(rows.find((r) => r.includes('POSEIDON_BOT_NAME'))).toContain('the host name');
    expect(rows.find((r) => r.includes('`POSEIDON_STORAGE`'))).toContain('| `sqlite`, `memory`, `file`, `redis` |');
  });
});
