// LogSink: writes every event as one log line (JSON or text) to the log file and the console, and to OTLP when configured.

import { type Logger as PinoLogger, pino } from 'pino';
import type { TimerHandle } from '../clock.js';
import { OutputFormat } from '../config/enums.js';
import type { MonitoringConfig } from '../config/MonitoringConfig.js';
import { describeValue, FlushError } from '../errors.js';
import type { EventSink } from '../events/EventSink.js';
import { EventType, type MonitorEvent } from '../events/types.js';
import { isSecretKey, redactDeep, redactText } from '../internal/redact.js';
import { ConsoleWriter, type LineTarget } from './ConsoleWriter.js';
import { isoTime } from './json.js';
import { LineFormatter, textSafe } from './LineFormatter.js';
import {
  errorLevel,
  LEVEL_CRITICAL,
  LEVEL_DEBUG,
  LEVEL_ERROR,
  LEVEL_INFO,
  LEVEL_WARNING,
  type LevelNumber,
  levelInfo,
  levelNameOfPino,
  levelNumberOf,
} from './levels.js';
import { OtlpLogBridge } from './OtlpLogBridge.js';
import { RotatingFileWriter } from './RotatingFileWriter.js';

/** Options of {@link LogSink}. */
export interface LogSinkOptions {
  /** Level, format, file, rotation, console, detailed trades, critical alerts, bot identity, clock and OTLP come from here. */
  readonly config: MonitoringConfig;
  /** Told about every failed write or export; the facade counts them in its diagnostics. */
  readonly onError?: (error: unknown) => void;
  /** Where console lines go. @default process.stdout */
  readonly console?: LineTarget;
  /** @internal The file's write call; tests replace it to simulate a full disk. */
  readonly fileWriteSync?: (fd: number, buffer: Buffer, offset: number, length: number) => number;
}

/** What the log sink has done, for health checks and tests. */
export interface LogSinkStats {
  /** Bytes written to log files (all of them, across rotations). */
  readonly fileBytesWritten: number;
  readonly rotations: number;
  /** Lines a failed write gave up. */
  readonly linesLost: number;
  /** Lines refused because too much was queued before `start()`. */
  readonly linesDropped: number;
}

// A burst past this many queued bytes is written at the next turn of the event loop rather than
// waiting for the timer; past the hard cap it is written at once, so memory stays bounded when a
// bot logs in a tight loop that never yields.
const HIGH_WATER = 64 * 1024;
const HARD_CAP = 4 * 1024 * 1024;
// The flush timer never waits longer than this, so a console reader sees lines within a second.
const MAX_FLUSH_INTERVAL_MS = 1000;

/**
 * The logging sink. `record` checks the level against a precomputed threshold (a record below it
 * costs one comparison and builds nothing), serialises the line by hand and appends it to an
 * in-memory buffer. Buffers are written synchronously, in large chunks, off the hot path: on the
 * flush timer, at 64 KiB, on `flush()`/`stop()` and on process exit. A CRITICAL record is written
 * before `record` returns.
 */
export class LogSink implements EventSink {
  readonly name = 'logs';
  private readonly config: MonitoringConfig;
  private readonly onError: (error: unknown) => void;
  private readonly formatter: LineFormatter;
  private readonly threshold: LevelNumber;
  private readonly tradeLevel: LevelNumber;
  private readonly file: RotatingFileWriter | null;
  private readonly fileJson: boolean;
  private readonly console: ConsoleWriter | null;
  private readonly consoleJson: boolean;
  private readonly otlp: OtlpLogBridge | null;
  private readonly flushIntervalMs: number;
  private timer: TimerHandle | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;
  private pinoLogger: PinoLogger | null = null;
  private dropped = 0;
  /** Lines lost or dropped that a flush() or stop() has already reported. */
  private lossReported = 0;

  constructor(options: LogSinkOptions) {
    const config = options.config;
    this.config = config;
    this.onError = options.onError ?? (() => {});
    this.formatter = new LineFormatter({ bot: config.botName, strategy: config.strategy, exchange: config.exchange });
    this.threshold = levelNumberOf(config.logLevel);
    this.tradeLevel = config.enableDetailedTradeLogs ? LEVEL_INFO : LEVEL_DEBUG;
    this.file =
      config.logFile === null
        ? null
        : new RotatingFileWriter({
            path: config.logFile,
            maxSizeBytes: config.logMaxSizeBytes,
            backupCount: config.logBackupCount,
            onReplaced: (error) => this.report(error),
            writeSync: options.fileWriteSync,
          });
    // `both`: JSON lines in the file for machines, text lines on the console for people.
    this.fileJson = config.logFormat !== OutputFormat.TEXT;
    this.console = config.logConsole ? new ConsoleWriter(options.console) : null;
    this.consoleJson = config.logFormat === OutputFormat.JSON;
    this.otlp =
      config.otlpLogs === null
        ? null
        : new OtlpLogBridge({
            endpoint: config.otlpLogs,
            identity: { bot: config.botName, strategy: config.strategy, exchange: config.exchange },
            onError: (error) => this.report(error),
          });
    this.flushIntervalMs = Math.min(config.flushIntervalMs, MAX_FLUSH_INTERVAL_MS);
  }

  /** True when this sink writes anywhere (a file, the console or OTLP). */
  get hasOutputs(): boolean {
    return this.file !== null || this.console !== null || this.otlp !== null;
  }

  /** True when records are also exported over OTLP (a LoggerProvider exists only then). */
  get otlpEnabled(): boolean {
    return this.otlp !== null;
  }

  /** The log file path, or null when logging to the console only. */
  get filePath(): string | null {
    return this.file?.path ?? null;
  }

  get stats(): LogSinkStats {
    return {
      fileBytesWritten: this.file?.bytesWritten ?? 0,
      rotations: this.file?.rotations ?? 0,
      linesLost: this.file?.linesLost ?? 0,
      linesDropped: this.dropped,
    };
  }

  /** The level an event is logged at. */
  levelOf(event: MonitorEvent): LevelNumber {
    switch (event.eventType) {
      case EventType.TRADE_EXECUTION:
      case EventType.PROFIT_LOSS:
        return this.tradeLevel;
      case EventType.LOOP_EXECUTION:
        return event.success ? LEVEL_INFO : LEVEL_WARNING;
      case EventType.ERROR_EVENT:
        return errorLevel(event.severity, this.config.enableCriticalAlerts);
      case EventType.PERFORMANCE_METRIC:
        return LEVEL_DEBUG;
      case EventType.SYSTEM_EVENT:
        return event.kind === 'balance_updated' ? LEVEL_DEBUG : LEVEL_INFO;
      default:
        return LEVEL_INFO;
    }
  }

  record(event: MonitorEvent): void {
    const level = this.levelOf(event);
    if (level < this.threshold) return;
    if (this.refuse()) return;
    const file = this.file;
    const console = this.console;
    let json: string | undefined;
    let text: string | undefined;
    if (file !== null) {
      if (this.fileJson) {
        json = this.formatter.json(event, level);
        file.append(json);
      } else {
        text = this.formatter.text(event, level);
        file.append(text);
      }
    }
    if (console !== null) {
      if (this.consoleJson) console.append(json ?? this.formatter.json(event, level));
      else console.append(text ?? this.formatter.text(event, level));
    }
    if (this.otlp !== null) this.otlp.emit(event, level);
    this.afterAppend(level);
  }

  /**
   * Writes a record of a failure inside the monitor (`event_type: "monitor_diagnostic"`): WARNING
   * for a failing user callback, ERROR for a failing sink. A failure of this sink itself goes to
   * the console and OTLP only, so a broken file does not feed itself.
   */
  recordDiagnostic(where: string, error: unknown, time: number): void {
    const level = where.startsWith('callback:') ? LEVEL_WARNING : LEVEL_ERROR;
    if (level < this.threshold || this.stopping !== null) return;
    const message = errorMessage(error);
    if (this.file !== null && where !== `sink:${this.name}`) {
      this.file.append(
        this.fileJson
          ? this.formatter.diagnosticJson(time, level, where, message)
          : this.formatter.diagnosticText(time, level, where, message),
      );
    }
    this.console?.append(
      this.consoleJson
        ? this.formatter.diagnosticJson(time, level, where, message)
        : this.formatter.diagnosticText(time, level, where, message),
    );
    this.otlp?.emitDiagnostic(time, level, where, message);
    this.afterAppend(level);
  }

  /**
   * A pino logger writing to the same outputs, for the bot's own log lines: same level, same
   * `time`/`level` names, `event_type: "log"`, the same redaction of secret-named fields. Built on
   * first use.
   */
  get pino(): PinoLogger {
    this.pinoLogger ??= this.createPino();
    return this.pinoLogger;
  }

  /** Opens the log file (creating its folder) and starts the flush timer. Throws when the file cannot be opened. */
  start(): void {
    if (this.started || this.stopping !== null) return;
    this.file?.open();
    this.started = true;
    this.flushWriters();
    this.schedule();
  }

  /**
   * Writes everything recorded so far to the file and console, and exports queued OTLP records.
   * Rejects with {@link FlushError} when lines recorded before it did not reach the file (a failed
   * write, or too much queued before start()); `logLines` counts those not reported by an earlier
   * flush() or stop().
   */
  async flush(): Promise<void> {
    this.flushWriters();
    await this.otlp?.flush();
    this.throwUnreportedLoss();
  }

  /** Flushes and closes everything; safe to call twice. Then rejects as {@link flush} does when lines were lost. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop().then(() => this.throwUnreportedLoss());
    return this.stopping;
  }

  private throwUnreportedLoss(): void {
    const lost = (this.file?.linesLost ?? 0) + this.dropped;
    const unreported = lost - this.lossReported;
    this.lossReported = lost;
    if (unreported > 0) throw new FlushError({ historyRows: 0, logLines: unreported });
  }

  private async doStop(): Promise<void> {
    if (this.timer !== null) {
      this.config.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    // Never started: the file was never opened, so nothing is created now (a monitor that was
    // only constructed leaves no log folder behind); console lines still go out.
    for (const writer of [this.console, this.started ? this.file : null]) {
      try {
        writer?.close();
      } catch (error) {
        this.report(error);
      }
    }
    await this.otlp?.stop();
  }

  private schedule(): void {
    if (this.file === null && this.console === null) return;
    this.timer = this.config.clock.setTimeout(() => {
      this.timer = null;
      if (this.stopping !== null) return;
      this.flushWriters();
      this.schedule();
    }, this.flushIntervalMs);
  }

  /** True when the line must be refused: too much is already queued and nothing can be written yet. */
  private refuse(): boolean {
    if (this.started || this.pendingLength() < HARD_CAP) return false;
    this.dropped++;
    return true;
  }

  private pendingLength(): number {
    return Math.max(this.file?.pendingLength ?? 0, this.console?.pendingLength ?? 0);
  }

  private afterAppend(level: LevelNumber): void {
    if (!this.started || this.stopping !== null) return;
    if (level === LEVEL_CRITICAL) {
      // A critical error is often followed by the bot going down: it reaches the file before logError returns.
      this.flushWriters();
      return;
    }
    const pending = this.pendingLength();
    if (pending >= HARD_CAP) this.flushWriters();
    else if (pending >= HIGH_WATER && this.immediate === null) {
      this.immediate = setImmediate(() => {
        this.immediate = null;
        if (this.stopping === null) this.flushWriters();
      });
      this.immediate.unref();
    }
  }

  /** Writes every pending line to the file and console now; the exit hook calls it. */
  flushSync(): void {
    this.flushWriters();
  }

  private flushWriters(): void {
    if (!this.started) return;
    for (const writer of [this.file, this.console]) {
      if (writer === null) continue;
      try {
        writer.flush();
      } catch (error) {
        this.report(error);
      }
    }
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // The failure counter itself failing must not reach the bot.
    }
  }

  private createPino(): PinoLogger {
    const clock = this.config.clock;
    const base: Record<string, string> = { event_type: 'log', bot: this.config.botName };
    if (this.config.strategy !== '') base.strategy = this.config.strategy;
    if (this.config.exchange !== '') base.exchange = this.config.exchange;
    return pino(
      {
        level: levelInfo(this.threshold).pino,
        base,
        messageKey: 'msg',
        timestamp: () => `,"time":"${isoTime(clock.now())}"`,
        formatters: { level: (label) => ({ level: levelNameOfPino(label) }) },
      },
      { write: (line: string) => this.writePinoLine(line) },
    );
  }

  /** A line from the pino logger: redacted, then as is where JSON goes, rendered as text where text goes. */
  private writePinoLine(raw: string): void {
    if (this.stopping !== null || this.refuse()) return;
    // Redacting the finished line covers the log object, child bindings and serialised errors
    // alike; only a line mentioning a secret-like name anywhere pays for the parse. Then the free
    // text (the message, an error's message and stack) is scanned as events' free text is.
    const line = redactText(isSecretKey(raw) ? redactLine(raw) : raw);
    let text: string | undefined;
    const asText = () => {
      text ??= pinoLineAsText(line, this.formatter);
      return text;
    };
    if (this.file !== null) this.file.append(this.fileJson ? line : asText());
    if (this.console !== null) this.console.append(this.consoleJson ? line : asText());
    this.afterAppend(LEVEL_INFO);
  }
}

/** A JSON line with every secret-named field censored. */
function redactLine(line: string): string {
  try {
    return `${JSON.stringify(redactDeep(JSON.parse(line)))}\n`;
  } catch {
    return line;
  }
}

/** A failure's message, whatever was thrown. */
function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return describeValue(error);
  }
}

/** `time LEVEL msg {rest}` of one of pino's JSON lines. */
function pinoLineAsText(line: string, formatter: LineFormatter): string {
  try {
    const { time, level, msg, event_type: _type, bot: _bot, strategy: _strategy, exchange: _exchange, ...rest } = JSON.parse(line);
    const number = levelNumberOfName(level);
    const extra = Object.keys(rest).length === 0 ? '' : ` ${JSON.stringify(rest)}`;
    return `${time} ${formatter.textLevel(number)}${textSafe(String(msg ?? ''))}${extra}\n`;
  } catch {
    return line;
  }
}

function levelNumberOfName(name: unknown): LevelNumber {
  switch (name) {
    case 'CRITICAL':
      return LEVEL_CRITICAL;
    case 'ERROR':
      return LEVEL_ERROR;
    case 'WARNING':
      return LEVEL_WARNING;
    case 'INFO':
      return LEVEL_INFO;
    default:
      return LEVEL_DEBUG;
  }
}
