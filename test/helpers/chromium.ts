// Test helper: the system's Chromium (nothing downloaded) driven by playwright-core, in a fresh temporary profile.

import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core';

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that keep the browser quiet and offline: no sandbox (containers), no GPU, no background traffic. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium binary, or null when it is not installed. Under `CI` a missing browser throws
 * instead: CI must run the browser tests, not skip them.
 */
export function findChromium(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return CHROMIUM_PATH;
  } catch {
    if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing, and CI is set: install Debian's chromium to run the browser tests`);
    return null;
  }
}

/** A browser context in its own temporary profile; `close()` stops the browser and deletes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Starts the system Chromium headless with a fresh profile directory. */
export async function launchChromium(options: BrowserContextOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'poseidon-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
