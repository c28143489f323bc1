// Renders the settings table as the Markdown table of the configuration docs.

import { SETTINGS, type Setting } from './settings.js';

function defaultText(s: Setting): string {
  if (s.computedDefault !== undefined) return s.computedDefault.text;
  if (s.def === null) return 'unset';
  if (s.def === '') return 'empty';
  return `\`${String(s.def)}\``;
}

function accepted(s: Setting): string {
  if (s.values !== undefined)
    return s.values
      .filter((v) => s.unavailable?.[v] === undefined)
      .map((v) => `\`${v}\``)
      .join(', ');
  const range = [s.min !== undefined ? `>= ${s.min}` : '', s.max !== undefined ? `<= ${s.max}` : ''].filter(Boolean).join(', ');
  const kind =
    s.kind === 'nullableString' ? 'string' : s.kind === 'dbUrl' ? 'database URL' : s.kind === 'webhooks' ? 'webhook URLs' : s.kind;
  return range === '' ? kind : `${kind}, ${range}`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/**
 * The configuration table in Markdown: one row per setting, in documentation order, with its
 * variable, option, default, accepted values and description. Generated, so it cannot drift.
 */
export function configurationMarkdown(): string {
  const rows = SETTINGS.map(
    (s: Setting) =>
      `| \`${s.env}\` | \`${s.key}\` | ${cell(defaultText(s))} | ${cell(accepted(s))} | ${cell(s.description)}${s.secret ? ' (secret: never logged)' : ''} |`,
  );
  return ['| Variable | Option | Default | Accepted | Description |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
