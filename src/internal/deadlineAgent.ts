// HTTP agents for the OTLP exporters whose connections live at most one deadline, so a trickling peer is cut.

import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * An agent factory for the exporters' `httpAgentOptions`. The exporters' own timeout is the
 * socket's idle timeout, which a peer sending one byte every 100 ms never trips; here each request
 * gets its own connection (no keep-alive), destroyed `deadlineMillis` after it was opened, so the
 * whole exchange, the answer's body included, ends by then. Loaded lazily, as the exporters ask.
 */
export function deadlineAgentFactory(deadlineMillis: number): (protocol: string) => Promise<HttpAgent | HttpsAgent> {
  return async (protocol) => {
    const module = protocol === 'https:' ? await import('node:https') : await import('node:http');
    const agent = new module.Agent({ keepAlive: false });
    const open = agent.createConnection.bind(agent) as (...args: unknown[]) => Duplex | null | undefined;
    agent.createConnection = ((...args: unknown[]) => {
      const socket = open(...args);
      if (socket) cutAfter(socket, deadlineMillis);
      return socket;
    }) as typeof agent.createConnection;
    return agent;
  };
}

function cutAfter(socket: Duplex, ms: number): void {
  const timer = setTimeout(() => socket.destroy(new Error(`OTLP export deadline of ${ms} ms passed`)), ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
