// The report's text helpers and the CLI's argument parsers.

import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { integerIn, numberIn, oneOf, parseDuration, parseInstant, parseSymbols } from '../../src/cli/internal/parse.js';
import { formatNumber, percent, renderPairs, renderTable, signedBar, sparkline } from '../../src/cli/internal/table.js';

describe('table helpers', () => {
  it('aligns text left and numbers right under a rule', () => {
    expect(
      renderTable(
        ['symbol', 'trades'],
        [
          ['BTCUSDT', 1234],
          ['SOL', 5],
        ],
      ),
    ).toBe(['symbol   trades', '-------  ------', 'BTCUSDT   1,234', 'SOL           5'].join('\n'));
  });

  it('shows null as a dash and pairs as two columns', () => {
    expect(
      renderPairs([
        ['a', null],
        ['long key', 1.5],
      ]),
    ).toBe('a         -\nlong key  1.50');
  });

  it('formats numbers by size, percentages with a sign', () => {
    expect(formatNumber(1234567.891)).toBe('1,234,567.89');
    expect(formatNumber(0.01234)).toBe('0.0123');
    expect(formatNumber(0.000123456)).toBe('0.000123');
    expect(percent(0.0123)).toBe('+1.23%');
    expect(percent(-0.5, 0)).toBe('-50%');
    expect(percent(null)).toBeNull();
  });

  it('draws a sparkline from lowest to highest and a bar on the side of the sign', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1, null, 1])).toBe('▄ ▄');
    expect(sparkline([])).toBe('');
    expect(signedBar(0.5, 1, 4)).toBe('    |##  ');
    expect(signedBar(-1, 1, 4)).toBe('####|    ');
  });
});

describe('argument parsers', () => {
  it('reads durations with units, bare seconds, and unlimited', () => {
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('unlimited')).toBeNull();
    expect(parseDuration('0')).toBeNull();
    for (const bad of ['', 'abc', '-5s', '5 parsecs', '1y', '999d']) expect(() => parseDuration(bad)).toThrow(InvalidArgumentError);
  });

  it('reads bounded numbers and whole numbers', () => {
    expect(numberIn(0.1, 10, 'x')('2.5')).toBe(2.5);
    expect(() => numberIn(0.1, 10, 'x')('11')).toThrow(/from 0.1 to 10/);
    expect(() => numberIn(0.1, 10, 'x')('NaN')).toThrow(InvalidArgumentError);
    expect(integerIn(0, 65_535, 'a port')('0')).toBe(0);
    expect(() => integerIn(0, 65_535, 'a port')('80.5')).toThrow(/whole number/);
    expect(() => integerIn(0, 65_535, 'a port')('70000')).toThrow(InvalidArgumentError);
  });

  it('reads symbols upper-cased and de-duplicated', () => {
    expect(parseSymbols('btcusdt, ETHUSDT,btcusdt')).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(() => parseSymbols(',,')).toThrow(InvalidArgumentError);
    expect(() => parseSymbols('BTC USDT')).toThrow(InvalidArgumentError);
  });

  it('reads one of a list and ISO instants', () => {
    expect(oneOf(['json', 'csv'] as const)('CSV')).toBe('csv');
    expect(() => oneOf(['json', 'csv'] as const)('xml')).toThrow(/json, csv/);
    expect(parseInstant('2026-01-01T12:00:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(() => parseInstant('yesterday')).toThrow(InvalidArgumentError);
  });
});
