// Renders the settings table as the Markdown table of the configuration docs.

import { SETTINGS, type Setting } from './settings.js';

const code = (text: string): string => `\`${text}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function accepted(s: Setting): string {
  const range = s.min !== undefined && s.max !== undefined ? `${s.min}–${s.max}` : undefined;
  switch (s.kind) {
    case 'enum':
      return (s.values ?? [])
        .filter((v) => s.unavailable?.[v] === undefined)
        .map(code)
        .join(', ');
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'number':
      return range ?? (s.min !== undefined ? `≥ ${s.min}` : 'a number');
    case 'size':
      return `bytes ≥ ${s.min ?? 0}, or ${code('512KB')}, ${code('10MB')}, ${code('1GB')} (1024-based)`;
    case 'nullableString':
      return s.min !== undefined ? `at least ${s.min} characters` : 'a string; empty for none';
    case 'host':
      return `a host name or IP address (${code('[::1]')} accepted)`;
    case 'dbUrl':
      return [code('sqlite:///relative.db'), code('sqlite:////absolute/path.db'), code('sqlite::memory:')].join(', ');
    case 'redisUrl':
      return [code('redis://[user:password@]host:port/db'), code('rediss://…')].join(', ');
    case 'webhooks':
      return `comma-separated ${code('[json=|telegram=|discord=]http(s)://…')}`;
    case 'label':
      return `up to 64 of letters, digits, ${['.', '_', '-', ':', '/'].map(code).join(' ')}${s.nonEmpty ? ', not empty' : ''}`;
    default:
      return s.kind;
  }
}

function defaultText(s: Setting): string {
  if (s.computedDefault !== undefined) return s.computedDefault.text;
  if (s.def === null) return 'unset';
  if (s.def === '') return 'empty';
  return code(String(s.def));
}

/**
 * The configuration table in Markdown: one row per setting, in table order, with its variable,
 * option, default, accepted values and meaning; a secret is marked as never shown.
 */
export function configurationMarkdown(): string {
  const rows = (SETTINGS as readonly Setting[]).map((s) => {
    const meaning = s.secret ? `${s.description} (secret: never logged or shown)` : s.description;
    return ['', code(s.env), code(s.key), defaultText(s), accepted(s), meaning, ''].map(cell).join(' | ').trim();
  });
  return ['| variable | option | default | accepted | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
