// The redaction corpus: each case a secret that must not survive and a neighbour that must; adversarial inputs stay linear.

import { describe, expect, it } from 'vitest';
import { isSecretKey, REDACTED, redactText } from '../../src/internal/redact.js';

const PEM_BODY = 'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oLJ3AS9HExrmoAoGCCqGSM49';

/** [text, the secret that must not appear, the neighbour that must stay]. */
const CORPUS: readonly (readonly [string, string, string])[] = [
  // PEM private key blocks, whole or cut short.
  [`key -----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}\nAwEHoUQDQgAE\n-----END EC PRIVATE KEY----- loaded`, PEM_BODY, 'loaded'],
  [`-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----\nnext line`, PEM_BODY, 'next line'],
  [`-----BEGIN PRIVATE KEY-----${PEM_BODY}-----END PRIVATE KEY----- ok`, PEM_BODY, 'ok'],
  [
    `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----`,
    'b3BlbnNzaC1rZXktdjEAAAAA',
    'OPENSSH',
  ],
  [`-----BEGIN ENCRYPTED PRIVATE KEY-----\n${PEM_BODY}-key-with-dashes`, PEM_BODY, 'BEGIN ENCRYPTED'],
  [`bad key: -----BEGIN EC PRIVATE KEY-----${PEM_BODY}...`, PEM_BODY, 'bad key:'],
  [
    `cert -----BEGIN CERTIFICATE-----\nMIIBpublic\n-----END CERTIFICATE----- and -----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}\n-----END EC PRIVATE KEY-----`,
    PEM_BODY,
    'MIIBpublic',
  ],
  // Quoted values keep their spaces.
  ['password: "correct horse battery staple" for bob', 'horse battery staple', 'for bob'],
  ["password='correct horse battery' user=bob", 'horse battery', 'user=bob'],
  ['{"password":"two words","user":"bob"}', 'two words', '"user":"bob"'],
  ['{\\"passphrase\\":\\"p a s s\\",\\"x\\":1}', 'p a s s', '\\"x\\":1'],
  ['secret = "with spaces and ; and ," end', 'with spaces', 'end'],
  ['password: "unterminated-secret', 'unterminated-secret', 'password'],
  // Separators inside a value.
  ['passphrase=abc;tail', ';tail', 'passphrase='],
  ['secret=p1,rest', ',rest', 'secret='],
  ['secret=p1,rest and more', 'rest', 'and more'],
  ['password=abc;def;ghi user=x', 'def;ghi', 'user=x'],
  ['Set-Cookie: session=abc; Path=/', 'abc', 'Path=/'],
  ['token=abc, symbol=BTC', 'abc', 'symbol=BTC'],
  ['apiKey=k1;exchange=binance', 'k1', 'exchange=binance'],
  ['secretKey=abc&passphrase=p&symbol=ETH', 'abc', 'symbol=ETH'],
  // URL credentials.
  ['redis://:pw-secret@cache:6379 down', 'pw-secret', 'cache:6379'],
  ['postgres://u:p@ss@host/db', 'ss@host', 'host/db'],
  ['postgres://u:p@ss@host/db', 'p@ss', 'postgres://u:'],
  ['connect postgres://bot:pa55w0rd@db:5432/x failed', 'pa55w0rd', 'db:5432/x failed'],
  ['amqp://guest:gu3st@mq.local/vhost', 'gu3st', 'mq.local/vhost'],
  ['mongodb+srv://admin:Adm1n!@cluster0.example.net/?retryWrites=true', 'Adm1n!', 'cluster0.example.net'],
  ['https://user:hunter2@example.com/path', 'hunter2', 'example.com/path'],
  ['redis://default:r3d1s@127.0.0.1:6379/0', 'r3d1s', '127.0.0.1:6379/0'],
  // Secret-named keys, new spellings.
  ['mnemonic=abandon ability able', 'abandon', 'mnemonic'],
  ['mnemonic: "abandon ability able about above absent"', 'ability able', 'mnemonic'],
  ['seedPhrase=legal winner thank', 'legal', 'seedPhrase'],
  ['seed_phrase: "legal winner thank year"', 'winner thank', 'seed_phrase'],
  ['pwd=Sup3r user=alice', 'Sup3r', 'user=alice'],
  ['privKey=0xdeadbeefcafe chain=eth', '0xdeadbeefcafe', 'chain=eth'],
  ['priv_key: 5Kb8kLf9zgWQnogidDA76Mz', '5Kb8kLf9zgWQnogidDA76Mz', 'priv_key'],
  ['private.key=abcdef1234 ok', 'abcdef1234', 'ok'],
  ['api.key=K-123456 region=eu', 'K-123456', 'region=eu'],
  ['exchange.api.key: K-987654', 'K-987654', 'exchange.'],
  ['walletSecret=ws-999 id=7', 'ws-999', 'id=7'],
  // Telegram bot tokens in URL paths.
  [
    'POST https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage failed',
    'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
    '/sendMessage failed',
  ],
  ['/bot987654321:AAE-abcdefghijklmnopqrstuvwxyz012345/getUpdates', 'AAE-abcdefghijklmnopqrstuvwxyz012345', '/getUpdates'],
  ['/bot987654321:AAE-abcdefghijklmnopqrstuvwxyz012345/getUpdates', '987654321', 'getUpdates'],
  // Command lines.
  ['curl -u user:pw-s3cret https://x.example/api', 'pw-s3cret', 'https://x.example/api'],
  ['curl -u admin:p4ss -X POST', 'p4ss', '-X POST'],
  ["curl --user 'bob:b0bpass' https://x", 'b0bpass', 'https://x'],
  ['curl --user=carol:c4rol https://x', 'c4rol', 'carol'],
  // Shapes kept from before.
  ['GET /order?symbol=BTC&apiKey=abc123&signature=ff failed: 401', 'abc123', 'signature=ff'],
  ['X-MBX-APIKEY: k3y-value', 'k3y-value', 'X-MBX-APIKEY'],
  ['Authorization: Bearer abc.def.ghi next', 'abc.def.ghi', 'next'],
  ['Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz', 'Authorization'],
  ['sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig', 'eyJhbGciOiJIUzI1NiJ9', 'sent'],
  ['password: hunter2 rejected', 'hunter2', 'rejected'],
  ['accessToken=t0k3n&symbol=SOL', 't0k3n', 'symbol=SOL'],
  ['client_secret: cs-1 grant=client_credentials', 'cs-1', 'grant'],
];

describe('the redaction corpus', () => {
  it('holds at least 50 cases', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CORPUS)('%j: the secret goes, the neighbour stays', (text, secret, neighbour) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(neighbour);
    expect(out).toContain(REDACTED);
  });

  it.each(['mnemonic', 'seedPhrase', 'seed_phrase', 'pwd', 'privKey', 'priv_key', 'api.key', 'privateKey'])(
    '%s is a secret-named key',
    (key) => {
      expect(isSecretKey(key)).toBe(true);
    },
  );

  it('leaves text without secrets as it is', () => {
    for (const text of ['order 42 filled at 100.5', 'loop main took 12 ms', 'https://example.com/a?b=c', 'user bob logged in, id=7; ok']) {
      expect(redactText(text)).toBe(text);
    }
  });
});

describe('adversarial input', () => {
  // Each of these made a pattern with unbounded, overlapping repetitions take time growing with the
  // square (or worse) of the length: at 200,000 characters that is minutes, past the test's timeout.
  const n = 200_000;
  it.each([
    ['many key starts, no separator', 'password'.repeat(n / 8)],
    ['a key and a long run of value separators', `secret=${'a;'.repeat(n / 2)}`],
    ['list separators followed by near-names', `secret=${'a, b'.repeat(n / 4)}`],
    ['many BEGIN lines, no END', '-----BEGIN PRIVATE KEY-----'.repeat(n / 27)],
    ['dashes inside a key block', `-----BEGIN PRIVATE KEY-----${'-'.repeat(n)}`],
    ['URL scheme with many @', `redis://${'u:@'.repeat(n / 3)}`],
    ['scheme-like runs', `${'a://b:'.repeat(n / 6)}`],
    ['an unterminated quote', `password="${'x'.repeat(n)}`],
    ['escaped quotes', `password:\\"${'\\x'.repeat(n / 2)}`],
    ['curl options', `${' -u a:'.repeat(n / 6)}`],
    ['bot paths', `${'/bot1:'.repeat(n / 6)}`],
    ['bearer runs', `${'bearer '.repeat(n / 7)}`],
  ])('%s: completes', (_name, text) => {
    expect(typeof redactText(text)).toBe('string');
  });
});
