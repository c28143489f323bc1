// The OTLP log export has a deadline for the whole exchange: a collector trickling its answer is cut, and flush() settles.

import { afterEach, describe, expect, it } from 'vitest';
import { buildSystemEvent } from '../../src/events/build.js';
import { LEVEL_INFO } from '../../src/logging/levels.js';
import { OtlpLogBridge } from '../../src/logging/OtlpLogBridge.js';
import { type TricklingPeer, tricklingPeer } from '../helpers/hostilePeer.js';

let hostile: TricklingPeer | null = null;
afterEach(async () => {
  await hostile?.stop();
  hostile = null;
});

describe('OTLP export deadline', () => {
  it('a collector answering 200 and trickling a 1 MB body is cut at the deadline', async () => {
    hostile = await tricklingPeer();
    const bridge = new OtlpLogBridge({
      endpoint: { url: `${hostile.base}/v1/logs`, headers: {}, timeoutMillis: 300, temporality: 'cumulative' },
      identity: { bot: 'b', strategy: '', exchange: '' },
      onError: () => {},
    });
    bridge.emit(buildSystemEvent('monitor_started', 'started', null, 0), LEVEL_INFO);
    await bridge.flush();
    // The connection is gone within the deadline, long before the peer's million bytes.
    expect(await hostile.closed).toBeLessThan(100);
    expect(hostile.requests()).toBe(1);
    await bridge.stop();
  });
});
