// A hostile HTTP peer on loopback: answers 200 with `Content-Length: 1000000`, then sends one byte every 100 ms.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The peer's base URL; `closed` resolves with the body bytes it had sent when the client cut the connection. */
export interface TricklingPeer {
  readonly base: string;
  readonly closed: Promise<number>;
  /** Requests received so far. */
  readonly requests: () => number;
  stop(): Promise<void>;
}

export async function tricklingPeer(): Promise<TricklingPeer> {
  let resolveClosed: (bytes: number) => void = () => {};
  const closed = new Promise<number>((r) => {
    resolveClosed = r;
  });
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      res.write('x');
      sent++;
    }, 100);
    timers.add(timer);
    req.socket.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
      resolveClosed(sent);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closed,
    requests: () => requests,
    async stop() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
