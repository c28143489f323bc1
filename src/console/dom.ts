// Building the page's elements: every piece of data goes in as text (textContent), never as markup.

import type { ShownTime } from './format.js';

/** A child of {@link h}: an element, text (inserted as a text node), or nothing. */
export type Child = Node | string | null | undefined | false;

/** Creates `<tag class=…>` with attributes and children; strings become text nodes, so data can never become markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/** A `<time>` showing UTC, with the local time on hover. */
export function time(shown: ShownTime): HTMLTimeElement {
  const node = h('time', shown.title === '' ? {} : { title: shown.title }, shown.text);
  return node;
}

/** The class a gain or a loss is coloured with. */
export function tone(n: number | null | undefined): string {
  if (n === null || n === undefined || n === 0) return '';
  return n > 0 ? 'gain' : 'loss';
}

/** One figure card: a label, the value, and an optional note below it. */
export function card(label: string, value: string | Node, options: { tone?: string; note?: string; id?: string } = {}): HTMLElement {
  const attrs: Record<string, string> = { class: 'card' };
  if (options.id !== undefined) attrs['data-figure'] = options.id;
  return h(
    'div',
    attrs,
    h('div', { class: 'label' }, label),
    h('div', { class: `value ${options.tone ?? ''}`.trim() }, value),
    options.note === undefined ? null : h('div', { class: 'note' }, options.note),
  );
}

/** A column of {@link table}: its header and how a row shows in it. */
export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => string | Node;
  /** Right-aligned (figures). */
  readonly numeric?: boolean;
}

/** A table of `rows`, or `empty` as a note when there are none. */
export function table<T>(columns: readonly Column<T>[], rows: readonly T[], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const head = h('tr', {}, ...columns.map((c) => h('th', c.numeric ? { class: 'num' } : {}, c.header)));
  const body = rows.map((row) => h('tr', {}, ...columns.map((c) => h('td', c.numeric ? { class: 'num' } : {}, c.cell(row)))));
  return h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, head), h('tbody', {}, ...body)));
}

/** A titled panel holding `content`. */
export function panel(title: string, description: string, ...content: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', { title: description }, title), ...content);
}
