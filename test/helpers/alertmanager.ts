// Test helper: runs a real Alertmanager on a loopback port with a temporary data dir, and a local webhook receiver that keeps what it is sent.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer } from './prometheus.js';
import { findBinary } from './promtool.js';

/** The Alertmanager binary (`alertmanager`, or `prometheus-alertmanager` as Debian names it), or null when not installed. */
export function findAlertmanager(): string | null {
  return findBinary('alertmanager', 'prometheus-alertmanager');
}

/** One alert of a webhook notification (Alertmanager's webhook payload, version 4). */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** One notification as the receiver got it: which receiver, and its alerts. */
export interface WebhookNotification {
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly WebhookAlert[];
}

/** A local webhook receiver on 127.0.0.1. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every notification received, in order. */
  readonly received: WebhookNotification[];
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookNotification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookNotification;
        received.push({ receiver: body.receiver, status: body.status, alerts: body.alerts });
      } catch {
        // not a notification: ignored
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A running Alertmanager. */
export interface AlertmanagerServer {
  /** `127.0.0.1:<port>`, as a Prometheus `alertmanagers` target. */
  readonly address: string;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** Starts `binary` with `configYaml` on a free loopback port (clustering off), and waits until `/-/ready` answers. */
export async function startAlertmanager(binary: string, configYaml: string, readyTimeoutMs = 20_000): Promise<AlertmanagerServer> {
  const dir = mkdtempSync(join(tmpdir(), 'poseidon-alertmanager-'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const server = spawnServer(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    dir,
  );
  const { stop } = server;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (server.exited()) {
      await stop();
      throw new Error(`alertmanager exited:\n${server.log()}`);
    }
    try {
      if ((await fetch(`http://${address}/-/ready`)).ok) break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager not ready after ${readyTimeoutMs} ms:\n${server.log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100).unref());
  }
  return { address, log: server.log, stop };
}
