// A TCP proxy in front of a redis-server that loses, holds back or delivers late what passes, as a broken network does. Run by startRedisProxy (test/helpers/redis.ts).
// Usage: node redis-proxy.mjs <redis port>; prints its port; reads "<mode> <count> [<total>]" lines on stdin and answers "ok <injected> <applied>" to each.

import net from 'node:net';

const upstreamPort = Number(process.argv[2]);
let mode = 'pass';
let count = 0;
/** For `delay-after`: the commands the client will send in all (the answers wait until every one has come). */
let total = 0;
/** Whole commands held back by `delay-after`, delivered later by `inject`. */
let held = [];
/** Held commands delivered so far, and how many of them Redis answered with 0 (a script applied). */
let injected = 0;
let appliedLate = 0;

/** End of the RESP value at `at` in `buf`, or -1 while it is incomplete. */
function frameEnd(buf, at) {
  if (at >= buf.length) return -1;
  const line = buf.indexOf('\r\n', at);
  if (line < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const n = Number(buf.toString('latin1', at + 1, line));
  if (type === '$') return n < 0 ? line + 2 : line + 2 + n + 2 <= buf.length ? line + 2 + n + 2 : -1;
  if (type === '*') {
    let end = line + 2;
    for (let i = 0; i < n; i++) {
      end = frameEnd(buf, end);
      if (end < 0) return -1;
    }
    return end;
  }
  return line + 2;
}

/** Splits the whole values off the front of `buf`: [values, rest]. */
function frames(buf) {
  const out = [];
  let at = 0;
  for (let end = frameEnd(buf, at); end >= 0; end = frameEnd(buf, at)) {
    out.push(buf.subarray(at, end));
    at = end;
  }
  return [out, buf.subarray(at)];
}

const server = net.createServer((client) => {
  if (mode === 'refuse-connections' && count-- <= 0) {
    client.destroy();
    return;
  }
  const upstream = net.createConnection({ host: '127.0.0.1', port: upstreamPort });
  let fromClient = Buffer.alloc(0);
  let fromServer = Buffer.alloc(0);
  /** Answers still to come for commands forwarded for the client (delay-after counts them). */
  let forwarded = 0;
  /** Answers to drop: to held commands delivered late. */
  let swallow = 0;
  /** Client commands waiting while late ones are delivered. */
  let waiting = [];
  /** Set once the answer to the client's GET of the last batch token is through: the held commands follow it. */
  let injectAfterAnswer = -1;
  /** For `delay-after`: answers kept until every command has come. */
  let answersKept = [];
  /** Closes the client's connection once the commands let through are answered and every command has come, handing it their answers first. */
  const closeWhenDelayed = () => {
    if (mode !== 'delay-after' || forwarded > 0 || count > 0 || held.length < total) return false;
    for (const a of answersKept) client.write(a);
    answersKept = [];
    mode = 'inject';
    // After the answers are flushed: the client reads them, then finds its connection gone.
    client.end(() => end());
    return true;
  };
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.on('data', (d) => {
    if (mode === 'lose-commands') {
      mode = 'pass';
      end();
      return;
    }
    let commands;
    [commands, fromClient] = frames(Buffer.concat([fromClient, d]));
    for (const c of commands) {
      if (mode === 'delay-after') {
        if (count > 0) {
          count--;
          forwarded++;
          upstream.write(c);
        } else {
          held.push(c);
          closeWhenDelayed();
        }
        continue;
      }
      if (swallow > 0 || injectAfterAnswer >= 0) {
        waiting.push(c);
        continue;
      }
      if (mode === 'inject' && /\r\nGET\r\n/i.test(c.toString('latin1', 0, 40)) && c.toString('latin1').endsWith(':last_batch\r\n')) {
        injectAfterAnswer = 1;
      }
      upstream.write(c);
    }
  });
  upstream.on('data', (d) => {
    let answers;
    [answers, fromServer] = frames(Buffer.concat([fromServer, d]));
    for (const a of answers) {
      if (swallow > 0) {
        swallow--;
        injected++;
        if (a.toString('latin1') === ':0\r\n') appliedLate++;
        if (swallow === 0) {
          mode = 'pass';
          for (const c of waiting) upstream.write(c);
          waiting = [];
        }
        continue;
      }
      if (mode === 'lose-answers') {
        if (--count <= 0) {
          mode = 'pass';
          end();
          return;
        }
        continue;
      }
      if (mode === 'delay-after') {
        forwarded--;
        answersKept.push(a);
        if (closeWhenDelayed()) return;
        continue;
      }
      client.write(a);
      if (injectAfterAnswer > 0 && --injectAfterAnswer === 0) {
        injectAfterAnswer = -1;
        swallow = held.length;
        for (const c of held) upstream.write(c);
        held = [];
        if (swallow === 0) {
          mode = 'pass';
          for (const c of waiting) upstream.write(c);
          waiting = [];
        }
      }
    }
  });
});

server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
let input = '';
process.stdin.on('data', (d) => {
  input += d;
  for (let at = input.indexOf('\n'); at >= 0; at = input.indexOf('\n')) {
    const [m, c, t] = input.slice(0, at).split(' ');
    input = input.slice(at + 1);
    if (m !== 'report') {
      mode = m;
      count = Number(c);
      total = Number(t ?? 0) - count;
    }
    process.stdout.write(`ok ${injected} ${appliedLate}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
