// Redaction of secrets: secret-named fields at any depth, and what looks like a secret in free text.

/** What a redacted value is replaced with, in every output. */
export const REDACTED = '[REDACTED]';

// Names that usually hold credentials, in any case and spelled with or without `_`/`-`/`.`: apiKey,
// api_key, api.key, X-Api-Key, secret, apiSecret, password, passwd, pwd, passphrase (exchanges use
// one), token, accessToken, authorization, privateKey, privKey, cookie, credentials, mnemonic and
// seed phrase (wallets).
const SECRET_KEY =
  /api[-_. ]?key|secret|passw(?:or)?d|pwd|passphrase|token|authori[sz]ation|priv(?:ate)?[-_. ]?key|cookie|credential|mnemonic|seed[-_. ]?phrase/i;

/** True when a field of this name is censored in every output. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

// Every repetition below is bounded or runs over characters no other part of its pattern can take,
// so each pattern runs in time linear in the text, whatever the text.

// One unquoted value: up to a space, a quote, `&` or a bracket. A `;` or `,` is part of it (a
// password may hold one) unless what follows is the next `name=` of a list.
const BARE_PART = `[^\\s"'&;,{}()<>\\[\\]\\\\]+`;
const BARE_VALUE = `(?:(?:bearer|basic|token)[ \\t]{1,8})?${BARE_PART}(?:[;,](?![ \\t]{0,8}[A-Za-z_][\\w.-]{0,64}[ \\t]{0,8}[=:])${BARE_PART})*`;
// A quoted value keeps its spaces: `password: "correct horse battery staple"`, escaped JSON too.
const QUOTED_VALUE = `(\\\\")(?:[^"\\\\\\n]|\\\\(?!")){0,1024}\\\\"|(")[^"\\n]{0,1024}"|(')[^'\\n]{0,1024}'`;
// A secret-named key followed by `=` or `:` (a query string `apiKey=…`, a header `X-Api-Key: …`,
// JSON `"password":"…"`, escaped or not) and its value; an `Authorization` value's scheme included.
const SECRET_ASSIGNMENT = new RegExp(
  `((?:${SECRET_KEY.source})[A-Za-z0-9_.-]{0,32}\\\\?["']?[ \\t]{0,8}[:=][ \\t]{0,8})(?:${QUOTED_VALUE}|\\\\?["']?${BARE_VALUE})`,
  'gi',
);
const BARE_BEARER = /\b(bearer[ \t]{1,8})[A-Za-z0-9._~+/-]{8,}=*/gi;
// The password of a URL, `scheme://user:password@host`, the user possibly empty (`redis://:pw@host`)
// and the password possibly holding `@` (`postgres://u:p@ss@host`: up to the last `@`).
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]{0,32}:\/\/[^\s:/?#@]{0,256}:)[^\s/?#]{1,256}@/gi;
// A Telegram bot token in a URL path: `/bot123456:AA…/sendMessage`.
const BOT_TOKEN = /(\/bot)\d{1,16}:[A-Za-z0-9_-]{10,128}/g;
// `curl -u user:password` and `--user user:password`, quoted or not.
const USER_OPTION = /((?:^|\s)(?:-u|--user)(?:=|[ \t]{1,8})["']?[^\s:"']{0,256}:)[^\s"']{1,256}/g;
// A PEM private key block of any kind: its body, up to its end line or the end of the text (a
// message cut short still holds most of the key).
const PRIVATE_KEY_BLOCK = /(-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----)(?:[^-]|-(?!----END ))*(-----END [A-Z0-9 ]{0,40}PRIVATE KEY-----)?/g;
/** Cheap first look: only text that may hold a secret pays for the replacements. */
const MAYBE_SECRET = new RegExp(`${SECRET_KEY.source}|bearer|:\\/\\/[^\\s/]*@|\\/bot\\d|-u\\s|--user|PRIVATE KEY`, 'i');

/**
 * `text` with what looks like a secret replaced by `[REDACTED]`, the names around it kept:
 * `GET /order?symbol=BTC&apiKey=abc` → `GET /order?symbol=BTC&apiKey=[REDACTED]`. For free text
 * that may quote a request, a header, a command line, a key file or a connection string (error
 * messages, stack traces, string values of the bot's data).
 */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(PRIVATE_KEY_BLOCK, `$1${REDACTED}$2`)
    .replace(SECRET_ASSIGNMENT, keepQuotes)
    .replace(BARE_BEARER, `$1${REDACTED}`)
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(BOT_TOKEN, `$1${REDACTED}`)
    .replace(USER_OPTION, `$1${REDACTED}`);
}

/** The assignment with its value redacted inside the value's own quotes. */
function keepQuotes(_match: string, name: string, escaped?: string, double?: string, single?: string): string {
  const quote = escaped ?? double ?? single ?? '';
  return `${name}${quote}${REDACTED}${quote}`;
}

/**
 * A copy of `value` with every secret-named key's value replaced by `"[REDACTED]"`, at any depth;
 * `value` itself when nothing needed censoring. For objects that are not ours to serialise (what
 * users hand to the pino logger, OpenTelemetry attributes). Errors, dates and class instances are
 * kept as they are, except for their own secret-named fields.
 */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 16) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item = redactDeep(value[i], depth + 1);
      if (item !== value[i]) {
        copy ??= value.slice();
        copy[i] = item;
      }
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const next = isSecretKey(key) ? REDACTED : redactDeep(item, depth + 1);
    if (next !== item) {
      if (copy === null) {
        // An Error keeps its message and stack (own but non-enumerable) and its type for pino's serializer.
        copy = value instanceof Error ? Object.assign(Object.create(Object.getPrototypeOf(value)), value) : { ...value };
        if (value instanceof Error) {
          (copy as Record<string, unknown>).message = value.message;
          (copy as Record<string, unknown>).stack = value.stack;
        }
      }
      copy![key] = next;
    }
  }
  return (copy ?? value) as T;
}
