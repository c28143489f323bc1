// One writer per bot name: a lease row in the database that a second live process is refused by, and a dead one's is taken over.

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type Database from 'better-sqlite3';

/**
 * A lease held by another host is taken over once it has not been renewed for this long (a lease
 * on this host is checked by its process id instead). Renewed by the writer's batches.
 */
export const LEASE_STALE_MS = 5 * 60_000;

/** How often, at most, a batch renews the lease. */
export const RENEW_EVERY_MS = 30_000;

/** Who holds a lease, and when they last renewed it. */
export interface LeaseRow {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly renewed_at: number;
}

// Leases held by this process, by database path and bot: the pid alone cannot tell a live monitor
// in this process from an earlier process that had the same pid (a restarted container's pid 1).
// Shared with the file backend's lease (writer.lock), whose keys are its folders.
export const HELD = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process that holds the lease when it is not stale, described for an error message; null when it can be taken. */
export function holder(row: LeaseRow, key: string, now: number): string | null {
  const who = `process ${row.pid} on ${row.host}`;
  if (row.host !== hostname()) return now - row.renewed_at < LEASE_STALE_MS ? who : null;
  if (row.pid === process.pid) return HELD.has(key) ? 'another monitor in this process' : null;
  return alive(row.pid) ? who : null;
}

/** This process's claim to write one bot's rows to one database file. */
export class WriterLease {
  private readonly key: string;
  private readonly renew: Database.Statement;
  private readonly release_: Database.Statement;
  private renewedAt = 0;
  private held = false;

  private constructor(
    db: Database.Database,
    private readonly bot: string,
    path: string,
    /** Shared by the connections of one writer (the writer thread's renews the owner's lease). */
    readonly token: string,
  ) {
    this.key = `${path}\0${bot}`;
    this.renew = db.prepare('UPDATE writer_lease SET renewed_at = ? WHERE bot = ? AND token = ?');
    this.release_ = db.prepare('DELETE FROM writer_lease WHERE bot = ? AND token = ?');
  }

  /**
   * Takes the lease of `bot` in the database at `path`, or throws saying who holds it. A lease whose
   * process is gone (same host) or that was not renewed for {@link LEASE_STALE_MS} (another host)
   * is taken over.
   */
  static acquire(db: Database.Database, bot: string, path: string): WriterLease {
    const lease = new WriterLease(db, bot, path, randomUUID());
    const now = Date.now();
    db.transaction(() => {
      const row = db.prepare('SELECT pid, host, token, renewed_at FROM writer_lease WHERE bot = ?').get(bot) as LeaseRow | undefined;
      const other = row === undefined ? null : holder(row, lease.key, now);
      if (other !== null) {
        throw new Error(
          `history database ${path} is being written for bot "${bot}" by ${other}: one process per bot name (give each bot its own POSEIDON_BOT_NAME, or stop the other one first)`,
        );
      }
      db.prepare('INSERT OR REPLACE INTO writer_lease (bot, pid, host, token, renewed_at) VALUES (?, ?, ?, ?, ?)').run(
        bot,
        process.pid,
        hostname(),
        lease.token,
        now,
      );
    }).immediate();
    lease.held = true;
    lease.renewedAt = now;
    HELD.add(lease.key);
    return lease;
  }

  /** The lease `token` another connection of this writer holds, for this connection to renew (never to release). */
  static adopt(db: Database.Database, bot: string, path: string, token: string): WriterLease {
    const lease = new WriterLease(db, bot, path, token);
    lease.renewedAt = Date.now();
    return lease;
  }

  /** Renews the lease when it is due; call inside a write transaction (a batch's). */
  renewIfDue(): void {
    const now = Date.now();
    if (now - this.renewedAt < RENEW_EVERY_MS) return;
    this.renewedAt = now;
    this.renew.run(now, this.bot, this.token);
  }

  /** Gives the lease up (on close); never throws. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    HELD.delete(this.key);
    try {
      this.release_.run(this.bot, this.token);
    } catch {
      // A locked or lost file: the lease goes stale with this process and is taken over.
    }
  }
}
