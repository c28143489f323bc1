// The page's client of the monitor's JSON API: the bearer token from session storage, a deadline per request.

const TOKEN_KEY = 'poseidon-monitor.token';
const DEADLINE_MS = 15_000;

/** The API answered 401: the token is missing or wrong. */
export class Unauthorized extends Error {}

/** The token kept for this tab only (session storage: gone when the tab closes, never in the URL). */
export const token = {
  get(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(value: string): void {
    sessionStorage.setItem(TOKEN_KEY, value);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** GETs an `/api/…` path as JSON; throws {@link Unauthorized} on 401 and an Error naming the status otherwise. */
export async function getJson<T>(path: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const t = token.get();
  if (t !== null) headers.Authorization = `Bearer ${t}`;
  const response = await fetch(path, { headers, cache: 'no-store', signal: AbortSignal.timeout(DEADLINE_MS) });
  if (response.status === 401) throw new Unauthorized(`${path}: unauthorized`);
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`.trim());
  }
  return (await response.json()) as T;
}
