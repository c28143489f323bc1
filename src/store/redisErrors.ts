// redisErrors: the redis history's retryable error and the cleaning of URLs and client messages for it.

import { redactText } from '../internal/redact.js';

/** A failure a retry may cure (the connection, a full or read-only Redis): the rows are kept. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** `url` without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = 'REDACTED';
    return u.toString();
  } catch {
    return redactText(url);
  }
}

/** An error of the client, its text redacted (a client may quote the URL it was given). */
export function clean(error: unknown, what: string): RedisUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  return new RedisUnavailableError(`${what}: ${redactText(message)}`);
}
