// The documented example runs as documented (npx tsx examples/example-integration.ts) and exits 0.

import { describe, expect, it } from 'vitest';
import { CliProcess, cleanEnv, ROOT } from './cliProcess.js';

describe('examples/example-integration.ts', () => {
  it('runs every API end to end and exits 0', async () => {
    const r = await new CliProcess([], { entry: `${ROOT}examples/example-integration.ts`, env: cleanEnv() }).exited;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^metrics: http:\/\/127\.0\.0\.1:\d+\/metrics$/m);
    expect(r.stdout).toMatch(/^\/metrics: 4 poseidon_trades_total series$/m); // BTCUSDT and ETHUSDT, buys and sells
    expect(r.stdout).toMatch(/refused: Invalid quantity: NaN/);
    expect(r.stdout).toMatch(/risk_check failed as planned: risk limits unavailable/);
    expect(r.stdout).toMatch(/critical error callback: exchange connection lost/);
    expect(r.stdout).toMatch(/^summary: status \w+, 12 trades, P&L -?\d+\.\d{2}, 3 errors$/m);
    expect(r.stdout).toMatch(/^performance: .*main_trading_loop 6 runs/m);
    expect(r.stdout).toMatch(/^database: 12 trades, 8 loop runs, 3 errors$/m);
    expect(r.stdout).toMatch(/^callbacks saw 12 trades; balance \d+\.\d{2}; health: running$/m);
    expect(r.stdout.trimEnd().endsWith('done')).toBe(true);
  });
});
