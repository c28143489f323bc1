// Utf8Buffer and copyAscii: the byte queues of log lines and history rows keep text exactly, and say when it was ASCII.

import { describe, expect, it } from 'vitest';
import { copyAscii, Utf8Buffer } from '../../src/internal/Utf8Buffer.js';

describe('Utf8Buffer', () => {
  it('appends short and long, ASCII and wider text exactly, growing past its first size', () => {
    const b = new Utf8Buffer(8);
    const parts = ['BTCUSDT', 'é', 'x'.repeat(100), `${'y'.repeat(70)}€`, '😀', '', 'ÉTH/€'];
    let expected = '';
    for (const s of parts) {
      const written = b.append(s);
      // As many bytes as characters exactly when the text is ASCII.
      expect(written === s.length, s).toBe([...s].every((c) => c.charCodeAt(0) < 0x80));
      expect(written).toBe(Buffer.byteLength(s));
      expected += s;
    }
    expect(b.length).toBe(Buffer.byteLength(expected));
    expect(b.toString()).toBe(expected);
    expect(b.capacity).toBeGreaterThan(8);
  });

  it('gives a row back with truncate, and its first size back after a burst with clear', () => {
    const b = new Utf8Buffer(16);
    b.append('keep');
    b.append('drop me');
    b.truncate(4);
    b.append('!');
    expect(b.toString()).toBe('keep!');
    b.append('z'.repeat(1000));
    b.clear(64);
    expect([b.length, b.capacity]).toEqual([0, 16]);
    b.append('a'.repeat(20));
    const grown = b.capacity;
    expect(grown).toBeGreaterThan(16);
    b.clear(64);
    // Under the limit the grown buffer is kept.
    expect(b.capacity).toBe(grown);
  });

  it('writes a lone surrogate as U+FFFD (the history batch checks for those itself) and reads back a buffer from elsewhere', () => {
    const b = new Utf8Buffer(4);
    expect(b.append('a\ud800b')).toBe(5);
    expect(b.toString()).toBe('a\ufffdb');
    const of = Utf8Buffer.of(new TextEncoder().encode('ids: e1e2'));
    expect([of.length, of.asciiString(5, 7), of.toString(7)]).toEqual([9, 'e1', 'e2']);
  });
});

describe('copyAscii', () => {
  it('copies the ASCII prefix and says how long it was', () => {
    const target = new Uint8Array(8);
    expect(copyAscii(target, 2, 'abc')).toBe(3);
    expect(Array.from(target.subarray(2, 5))).toEqual([97, 98, 99]);
    expect(copyAscii(target, 0, 'xé')).toBe(1);
    expect(copyAscii(target, 0, '')).toBe(0);
  });
});
