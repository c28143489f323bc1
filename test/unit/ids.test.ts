import { describe, expect, it } from 'vitest';
import { newId } from '../../src/events/build.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newId', () => {
  it('writes version 4 UUIDs, all distinct, across many refills of its random pool', () => {
    const n = 20_000; // 16 bytes each: about 78 refills of a 4 KiB pool
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const id = newId();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(n);
  });

  it('uses every hex digit in every random position (no stuck nibble)', () => {
    const digits = Array.from({ length: 36 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const id = newId();
      for (let c = 0; c < 36; c++) digits[c]!.add(id[c]!);
    }
    for (let c = 0; c < 36; c++) {
      if ([8, 13, 18, 23].includes(c)) expect([...digits[c]!]).toEqual(['-']);
      else if (c === 14) expect([...digits[c]!]).toEqual(['4']);
      else if (c === 19) expect([...digits[c]!].sort()).toEqual(['8', '9', 'a', 'b']);
      else expect(digits[c]!.size).toBe(16);
    }
  });
});
