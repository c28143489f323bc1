// The console's entry point: sign-in with the API token when the monitor needs one, the three views, and polling of /api for live figures.

import type { DashboardSummary } from '../analytics/dashboardTypes.js';
import { getJson, token, Unauthorized } from './api.js';
import { fitCharts, watchLayout } from './charts.js';
import { h, time } from './dom.js';
import { utc } from './format.js';
import { performanceView, summaryView, tradingView, type View } from './views.js';

/** Time between the end of one refresh and the start of the next. */
const POLL_MS = 5000;
const VIEWS: Readonly<Record<string, View<never>>> = {
  summary: summaryView as View<never>,
  trading: tradingView as View<never>,
  performance: performanceView as View<never>,
};

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = byId<HTMLElement>('view');
const statusBadge = byId<HTMLElement>('status');
const updated = byId<HTMLElement>('updated');
const notice = byId<HTMLElement>('notice');
const login = byId<HTMLFormElement>('login');
const loginMessage = byId<HTMLElement>('login-message');
const tokenInput = byId<HTMLInputElement>('token');
const hoursSelect = byId<HTMLSelectElement>('hours');

let timer = 0;
/** Bumped by every refresh, so an answer that arrives after a newer refresh started is dropped. */
let generation = 0;

function currentView(): string {
  const name = location.hash.slice(1);
  return Object.hasOwn(VIEWS, name) ? name : 'summary';
}

function showNotice(text: string | null, kind: 'info' | 'error' = 'info'): void {
  notice.hidden = text === null;
  notice.className = `notice ${kind}`;
  notice.textContent = text ?? '';
}

/** True when nothing has been recorded yet: a fresh bot, or an empty history file. */
function noHistory(s: DashboardSummary): boolean {
  return s.totalTrades24h === 0 && s.accountBalance === null && s.errorCount24h === 0;
}

async function refresh(): Promise<void> {
  clearTimeout(timer);
  const mine = ++generation;
  const name = currentView();
  const view = VIEWS[name]!;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${view.title} · poseidon-monitor`;
  try {
    const hours = Number(hoursSelect.value);
    const [summary, data] = await Promise.all([getJson<DashboardSummary>('/api/summary'), view.load(hours)]);
    if (mine !== generation) return;
    login.hidden = true;
    document.body.classList.remove('locked');
    statusBadge.textContent = summary.systemStatus;
    statusBadge.className = `badge ${summary.systemStatus}`;
    statusBadge.title = summary.statusReasons.join('\n');
    showNotice(
      noHistory(summary)
        ? 'No history yet: the bot has recorded no trades, balances or errors in the last 24 hours. The figures appear here as it records them.'
        : null,
    );
    main.replaceChildren(...view.render(data as never, summary));
    fitCharts();
    if (main.dataset.ready === undefined) performance.mark('poseidon:first-data');
    main.dataset.ready = name;
    updated.replaceChildren('updated ', time(utc(summary.timestamp)));
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof Unauthorized) {
      askForToken(token.get() === null ? 'This monitor needs its API token (POSEIDON_API_TOKEN).' : 'The token was refused.');
      return; // no polling until a token is given
    }
    showNotice(`Could not read the monitor: ${error instanceof Error ? error.message : String(error)}. Retrying.`, 'error');
  }
  schedule();
}

function schedule(): void {
  clearTimeout(timer);
  if (!document.hidden) timer = window.setTimeout(() => void refresh(), POLL_MS);
}

function askForToken(message: string): void {
  token.clear();
  main.replaceChildren();
  delete main.dataset.ready;
  showNotice(null);
  statusBadge.textContent = 'locked';
  statusBadge.className = 'badge';
  document.body.classList.add('locked');
  loginMessage.textContent = message;
  login.hidden = false;
  tokenInput.value = '';
  tokenInput.focus();
}

login.addEventListener('submit', (event) => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  if (value === '') return;
  token.set(value);
  loginMessage.textContent = 'Checking…';
  void refresh();
});
addEventListener('hashchange', () => void refresh());
hoursSelect.addEventListener('change', () => void refresh());
document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(timer);
  else if (login.hidden) void refresh();
});
byId<HTMLElement>('nav').replaceChildren(
  ...Object.entries(VIEWS).map(([name, view]) => h('a', { href: `#${name}`, 'data-view': name }, view.title)),
);
watchLayout();
void refresh();
