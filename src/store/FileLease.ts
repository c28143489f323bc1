// FileLease: one writer per bot folder for the file backend: a lock file naming the process, taken over when that process is gone or stale.

import { randomUUID } from 'node:crypto';
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, readJson } from './fileLayout.js';
import { HELD, holder, type LeaseRow, RENEW_EVERY_MS } from './writerLease.js';

/**
 * `writer.lock` in the bot's folder holds `{pid, host, token, renewed_at}`. A second live process
 * writing the same bot is refused at start; a lock whose process is gone (this host) or that was
 * not renewed for LEASE_STALE_MS (another host) is taken over. Renewed by the writer's batches.
 */
export class FileLease {
  private renewedAt = 0;
  private held = false;

  private constructor(
    private readonly dir: string,
    readonly token: string,
  ) {}

  private get path(): string {
    return join(this.dir, LOCK_FILE);
  }

  /** Takes the folder's lease for `bot`, or throws saying who holds it. */
  static acquire(dir: string, bot: string): FileLease {
    const lease = new FileLease(dir, randomUUID());
    const row = readJson(lease.path) as LeaseRow | undefined;
    const other = row === undefined || typeof row !== 'object' || row === null ? null : holder(row, dir, Date.now());
    if (other !== null) {
      throw new Error(
        `history directory ${dir} is being written for bot "${bot}" by ${other}: one process per bot name (give each bot its own POSEIDON_BOT_NAME, or stop the other one first)`,
      );
    }
    lease.write();
    // Two processes taking over the same stale lock at once: the one whose token is read back wins.
    if ((readJson(lease.path) as LeaseRow | undefined)?.token !== lease.token) {
      throw new Error(`history directory ${dir} is being taken by another process for bot "${bot}" at the same time`);
    }
    lease.held = true;
    HELD.add(dir);
    return lease;
  }

  /** The lease `token` the owner holds, renewed (never released) by a writer thread's batches. */
  static adopt(dir: string, token: string): FileLease {
    const lease = new FileLease(dir, token);
    lease.renewedAt = Date.now();
    return lease;
  }

  private write(): void {
    const now = Date.now();
    const row: LeaseRow = { pid: process.pid, host: hostname(), token: this.token, renewed_at: now };
    const tmp = `${this.path}.${this.token}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(row));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.renewedAt = now;
  }

  /** Renews the lease when it is due (a batch is being written); never throws. */
  renewIfDue(): void {
    if (Date.now() - this.renewedAt < RENEW_EVERY_MS) return;
    try {
      if ((readJson(this.path) as LeaseRow | undefined)?.token === this.token) this.write();
    } catch {
      // A full disk: the lease goes stale only for another host, which checks the pid of this one's anyway.
    }
  }

  /** Gives the lease up (on close); never throws. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    HELD.delete(this.dir);
    try {
      if ((readJson(this.path) as LeaseRow | undefined)?.token === this.token) unlinkSync(this.path);
    } catch {
      // Gone already: nothing to give up.
    }
  }
}
