// Webhook targets and message bodies: generic JSON, Telegram Bot API sendMessage, Discord webhooks.

import { ConfigurationError } from '../errors.js';

export type WebhookFormat = 'json' | 'telegram' | 'discord';

/** One configured destination. */
export interface WebhookTarget {
  readonly format: WebhookFormat;
  readonly url: string;
  /** Telegram only: the chat to post to. */
  readonly chatId: string | null;
  /** The URL with its path and query hidden, safe to log (tokens live in those parts). */
  readonly safeName: string;
}

/** A notification before formatting. */
export interface Notification {
  readonly kind: 'critical_error' | 'hourly_report' | 'test';
  readonly title: string;
  readonly text: string;
  /** Structured fields for the generic JSON body. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly timestamp: number;
}

const FORMATS: readonly WebhookFormat[] = ['json', 'telegram', 'discord'];

/**
 * Parses `POSEIDON_WEBHOOK_URLS`: comma-separated entries `[format=]url`, format one of json
 * (default), telegram, discord. A Telegram entry is the Bot API `sendMessage` URL with the chat in
 * its query: `telegram=https://api.telegram.org/bot<TOKEN>/sendMessage?chat_id=<CHAT>`.
 */
export function parseWebhookUrls(field: string, raw: string): WebhookTarget[] {
  const targets: WebhookTarget[] = [];
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const eq = entry.indexOf('=');
    const hasFormat = eq > 0 && FORMATS.includes(entry.slice(0, eq).toLowerCase() as WebhookFormat);
    const format = (hasFormat ? entry.slice(0, eq).toLowerCase() : 'json') as WebhookFormat;
    const urlText = hasFormat ? entry.slice(eq + 1) : entry;
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new ConfigurationError(field, '(hidden: may hold a token)', 'comma-separated [json=|telegram=|discord=]http(s) URLs');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigurationError(field, url.protocol, 'http or https URLs');
    }
    let chatId: string | null = null;
    if (format === 'telegram') {
      chatId = url.searchParams.get('chat_id');
      if (!chatId) throw new ConfigurationError(field, `${url.origin}/…`, 'a Telegram sendMessage URL with ?chat_id=<chat>');
      url.searchParams.delete('chat_id');
    }
    targets.push({ format, url: url.toString(), chatId, safeName: `${format}:${url.origin}/…` });
  }
  return targets;
}

/** The request body for a target. */
export function formatBody(target: WebhookTarget, n: Notification): string {
  switch (target.format) {
    case 'telegram':
      return JSON.stringify({ chat_id: target.chatId, text: `${n.title}\n${n.text}`.slice(0, 4096), disable_web_page_preview: true });
    case 'discord':
      return JSON.stringify({ content: `**${n.title}**\n${n.text}`.slice(0, 2000), allowed_mentions: { parse: [] } });
    default:
      return JSON.stringify({
        kind: n.kind,
        title: n.title,
        text: n.text,
        timestamp: new Date(n.timestamp).toISOString(),
        fields: n.fields,
      });
  }
}
