// StatusLine: the demo's live one-line status on a terminal, or a plain line every few seconds in a pipe.

/** What the status line shows; read on each refresh. */
export interface StatusSnapshot {
  /** Simulated time. */
  readonly now: number;
  readonly trades: number;
  readonly realizedPnl: number;
  readonly balance: number;
  readonly errors: number;
  /** Events recorded by the monitor so far (all types). */
  readonly events: number;
}

/** Where status goes: `process.stdout` in the CLI, a fake stream in tests. */
export interface StatusStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Real milliseconds between refreshes: a terminal redraws often, a pipe or log file gets fewer lines. */
export const TTY_REFRESH_MS = 500;
export const PLAIN_REFRESH_MS = 5_000;

function money(value: number): string {
  const sign = value < 0 ? '-' : value > 0 ? '+' : '';
  return `${sign}${Math.abs(value).toFixed(2)}`;
}

/**
 * Redraws one line in place (carriage return, clear line) when the stream is a terminal; otherwise
 * prints a complete line per refresh so logs and CI output stay readable. Events per minute are over
 * simulated time, like the dashboards'. Uses a real (not simulated) interval: the refresh rate is
 * for the human watching, whatever the demo's speed.
 */
export class StatusLine {
  private timer: NodeJS.Timeout | null = null;
  private last: { at: number; events: number } | null = null;
  private eventsPerMinute = 0;
  private drawn = false;

  constructor(
    private readonly stream: StatusStream,
    private readonly read: () => StatusSnapshot,
  ) {}

  get isTty(): boolean {
    return this.stream.isTTY === true;
  }

  /** Starts refreshing. The interval is referenced on purpose: it is what keeps the demo process alive. */
  start(): void {
    if (this.timer !== null) return;
    // A terminal shows the line at once; a pipe gets its first line after one period, with a rate to show.
    if (this.isTty) this.refresh();
    this.timer = setInterval(() => this.refresh(), this.isTty ? TTY_REFRESH_MS : PLAIN_REFRESH_MS);
  }

  /** Stops refreshing and ends the in-place line, so what is printed next starts on a new line. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.drawn && this.isTty) this.stream.write('\n');
    this.drawn = false;
  }

  /** Draws once now. */
  refresh(): void {
    const line = this.render(this.read());
    if (this.isTty) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** One status line for a snapshot; updates the events-per-minute estimate. */
  render(s: StatusSnapshot): string {
    if (this.last !== null && s.now > this.last.at) {
      this.eventsPerMinute = ((s.events - this.last.events) * 60_000) / (s.now - this.last.at);
    }
    this.last = { at: s.now, events: s.events };
    const time = new Date(s.now).toISOString().slice(0, 19).replace('T', ' ');
    return (
      `[${time} UTC] trades ${s.trades}  P&L ${money(s.realizedPnl)}  balance ${s.balance.toFixed(2)}  ` +
      `errors ${s.errors}  events/min ${Math.round(this.eventsPerMinute)}`
    );
  }
}
