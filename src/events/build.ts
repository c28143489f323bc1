// Builds each event once from caller input: validates every field, stamps time and ids, freezes.

import { randomFillSync } from 'node:crypto';
import { describeValue, ValidationError } from '../errors.js';
import { redactText } from '../internal/redact.js';
import {
  copyAdditionalData,
  copyTags,
  optionalFinite,
  optionalName,
  optionalNonNegative,
  optionalObject,
  optionalText,
  requireBoolean,
  requireBounded,
  requireFinite,
  requireName,
  requireNonNegative,
  requireNonNegativeInteger,
  requireObject,
  requireOneOf,
  requirePositive,
  requireText,
  safeText,
} from '../internal/validate.js';
import {
  ERROR_SEVERITIES,
  type ErrorEvent,
  type ErrorSeverity,
  ErrorType,
  EventType,
  type GrowthEvent,
  type LiquidityEvent,
  type LoopExecutionEvent,
  type PerformanceEvent,
  type ProfitLossEvent,
  type SystemEvent,
  type SystemEventKind,
  TRADE_SIDES,
  type TradeEvent,
  type TradeSide,
} from './types.js';

/** What a bot passes to `logTrade`. */
export interface TradeInput {
  symbol: string;
  side: TradeSide;
  quantity: number;
  price: number;
  /** @default 0 */
  fee?: number;
  /** @default 0 */
  executionTimeMs?: number;
  /** May be negative (price improvement). @default 0 */
  slippageBps?: number;
  /** @default a generated UUID */
  executionId?: string;
  orderId?: string;
  /** Realized P&L reported by the exchange; wins over the ledger's figure. */
  pnl?: number;
  additionalData?: Record<string, unknown>;
}

/** What a bot passes to `logLiquidityAnalysis`. */
export interface LiquidityInput {
  symbol: string;
  /** Relative spread as a ratio (0.0002 = 2 bps). */
  spread: number;
  bidSize: number;
  askSize: number;
  marketDepth: number;
  /** Ratio (0.025 = 2.5 %). @default 0 */
  volatility24h?: number;
  /** @default 0 */
  volume24h?: number;
  bidPrice?: number;
  askPrice?: number;
}

/** Options of `logError`. */
export interface ErrorOptions {
  /** @default ErrorType.UNKNOWN */
  errorType?: ErrorType | `${ErrorType}`;
  /** @default 'medium' */
  severity?: ErrorSeverity;
  symbol?: string;
  loopName?: string;
  context?: Record<string, unknown>;
  stackTrace?: string;
}

/** Options of `endLoopExecution`. */
export interface LoopEndOptions {
  /** @default true */
  success?: boolean;
  /** @default 0 */
  tradesExecuted?: number;
  errorMessage?: string;
  /** Which run to end when several of the same loop are active. @default the most recent */
  executionId?: string;
  additionalData?: Record<string, unknown>;
}

const ERROR_TYPES = Object.values(ErrorType);

// Ids are random (version 4) UUIDs, written from a pool of random bytes into one buffer and read
// out as a single string: `crypto.randomUUID()` draws from a pool the same way, but builds its
// string from 20 pieces, about 580 bytes of garbage per id on the hot path.
const ID_POOL_BYTES = 4096;
const idPool = Buffer.allocUnsafe(ID_POOL_BYTES);
let idOffset = ID_POOL_BYTES;
const idText = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes' two hex digits go in the 36-character form. */
const ID_DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/** A new random (version 4) UUID, lower-case hex. */
export function newId(): string {
  if (idOffset > ID_POOL_BYTES - 16) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const from = idOffset;
  idOffset += 16;
  for (let i = 0; i < 16; i++) {
    let byte = idPool[from + i]!;
    // The version (4) and variant (10xx) bits.
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    const at = ID_DIGIT_AT[i]!;
    idText[at] = HEX_DIGITS[byte >> 4]!;
    idText[at + 1] = HEX_DIGITS[byte & 15]!;
  }
  return idText.toString('latin1', 0, 36);
}

export function buildTrade(input: unknown, timestamp: number): TradeEvent {
  const o = requireObject('trade', input);
  const symbol = requireName('symbol', o.symbol);
  const side = requireOneOf('side', o.side, TRADE_SIDES);
  const quantity = requirePositive('quantity', o.quantity);
  const price = requirePositive('price', o.price);
  const fee = optionalNonNegative('fee', o.fee, 0);
  const executionTimeMs = optionalNonNegative('executionTimeMs', o.executionTimeMs, 0);
  const slippageBps = o.slippageBps === undefined ? 0 : requireFinite('slippageBps', o.slippageBps);
  const executionId = o.executionId === undefined ? newId() : requireName('executionId', o.executionId);
  const orderId = optionalName('orderId', o.orderId);
  const pnl = optionalFinite('pnl', o.pnl);
  const additionalData = copyAdditionalData('additionalData', o.additionalData);
  const notionalValue = quantity * price;
  // Bounded, not just finite, so that the sums kept from trades (volume, fees, P&L) stay finite too.
  requireBounded('quantity', quantity, notionalValue, 'a quantity whose notional value (quantity × price) is');
  requireBounded('fee', fee, fee, 'a fee');
  if (pnl !== null) requireBounded('pnl', pnl, pnl, 'a pnl');
  return Object.freeze({
    eventType: EventType.TRADE_EXECUTION,
    timestamp,
    symbol,
    side,
    quantity,
    price,
    notionalValue,
    fee,
    executionTimeMs,
    slippageBps,
    executionId,
    orderId,
    pnl,
    additionalData,
  });
}

export function buildLiquidity(input: unknown, timestamp: number): LiquidityEvent {
  const o = requireObject('liquidity', input);
  const bidPrice = o.bidPrice === undefined ? null : requirePositive('bidPrice', o.bidPrice);
  const askPrice = o.askPrice === undefined ? null : requirePositive('askPrice', o.askPrice);
  if (bidPrice !== null) requireBounded('bidPrice', bidPrice, bidPrice, 'a price');
  if (askPrice !== null) requireBounded('askPrice', askPrice, askPrice, 'a price');
  if (bidPrice !== null && askPrice !== null && askPrice < bidPrice) {
    throw new ValidationError('askPrice', askPrice, `a price >= bidPrice (${bidPrice})`);
  }
  return Object.freeze({
    eventType: EventType.LIQUIDITY_ANALYSIS,
    timestamp,
    symbol: requireName('symbol', o.symbol),
    spread: requireNonNegative('spread', o.spread),
    bidSize: requireNonNegative('bidSize', o.bidSize),
    askSize: requireNonNegative('askSize', o.askSize),
    marketDepth: requireNonNegative('marketDepth', o.marketDepth),
    volatility24h: optionalNonNegative('volatility24h', o.volatility24h, 0),
    volume24h: optionalNonNegative('volume24h', o.volume24h, 0),
    bidPrice,
    askPrice,
  });
}

export function buildError(message: unknown, options: unknown, timestamp: number): ErrorEvent {
  let text: string;
  let stack: string | null = null;
  if (message instanceof Error) {
    // An Error comes from somewhere else (an exchange client, an HTTP body in the message): it is
    // recorded as far as it can be rather than refused, so logging a failure never fails itself.
    text = errorText(message);
    // Any of an Error's properties may be a getter that throws: read each one defensively.
    stack = safeText(() => message.stack, '') || null;
  } else {
    text = requireText('message', message);
  }
  const o = optionalObject('options', options);
  const errorType = o.errorType === undefined ? ErrorType.UNKNOWN : requireOneOf('errorType', o.errorType, ERROR_TYPES);
  const severity = o.severity === undefined ? 'medium' : requireOneOf('severity', o.severity, ERROR_SEVERITIES);
  const stackTrace = o.stackTrace === undefined ? stack : requireText('stackTrace', o.stackTrace);
  // Free text often quotes a request, a header or a connection string: what looks like a secret in
  // it is redacted here, as secret-named fields are, so no sink ever holds it.
  return Object.freeze({
    eventType: EventType.ERROR_EVENT,
    timestamp,
    errorId: newId(),
    message: redactText(text),
    errorType,
    severity,
    symbol: optionalName('symbol', o.symbol),
    loopName: optionalName('loopName', o.loopName),
    stackTrace: stackTrace === null ? null : redactText(stackTrace.slice(0, 8192)),
    context: copyAdditionalData('context', o.context),
  });
}

const MAX_MESSAGE_LENGTH = 8192;

/** The message of an Error, never empty, cut to the longest message accepted. */
function errorText(error: Error): string {
  const text = safeText(() => error.message, '') || safeText(() => error.name, '') || 'Error';
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

/**
 * A message for anything a loop body threw: an Error's message, a string, or a safe description of
 * other values (an object without a prototype makes `String(value)` throw).
 */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return errorText(thrown);
  let text: string;
  try {
    text = String(thrown);
  } catch {
    text = describeValue(thrown);
  }
  if (text.length === 0) return 'loop failed';
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

export function buildPerformance(name: unknown, value: unknown, unit: unknown, tags: unknown, timestamp: number): PerformanceEvent {
  return Object.freeze({
    eventType: EventType.PERFORMANCE_METRIC,
    timestamp,
    metricName: requireName('metricName', name),
    value: requireFinite('value', value),
    unit: unit === undefined ? '' : requireName('unit', unit),
    tags: copyTags('tags', tags),
  });
}

/** The parts of a loop end that the caller supplies, validated before the run is removed. */
export interface LoopEnd {
  readonly success: boolean;
  readonly tradesExecuted: number;
  readonly errorMessage: string | null;
  readonly executionId: string | null;
  readonly additionalData: ReturnType<typeof copyAdditionalData>;
}

export function parseLoopEnd(options: unknown): LoopEnd {
  const o = optionalObject('options', options);
  // Free text, redacted like an error's message (see buildError).
  const errorMessage = optionalText('errorMessage', o.errorMessage);
  return {
    success: o.success === undefined ? true : requireBoolean('success', o.success),
    tradesExecuted: o.tradesExecuted === undefined ? 0 : requireNonNegativeInteger('tradesExecuted', o.tradesExecuted),
    errorMessage: errorMessage === null ? null : redactText(errorMessage),
    executionId: optionalName('executionId', o.executionId),
    additionalData: copyAdditionalData('additionalData', o.additionalData),
  };
}

export function buildLoopExecution(
  loopName: string,
  executionId: string,
  startTime: number,
  end: LoopEnd,
  endTime: number,
  startData: ReturnType<typeof copyAdditionalData>,
): LoopExecutionEvent {
  const additionalData =
    startData && end.additionalData ? Object.freeze({ ...startData, ...end.additionalData }) : (end.additionalData ?? startData);
  return Object.freeze({
    eventType: EventType.LOOP_EXECUTION,
    timestamp: endTime,
    loopName,
    executionId,
    startTime,
    endTime,
    durationMs: Math.max(0, endTime - startTime),
    success: end.success,
    tradesExecuted: end.tradesExecuted,
    errorMessage: end.errorMessage,
    additionalData,
  });
}

export function buildGrowth(
  fields: Omit<GrowthEvent, 'eventType' | 'growthRatio' | 'equityGrowthRatio' | 'openingEquity' | 'closingEquity'> & {
    openingEquity?: number | null;
    closingEquity?: number | null;
  },
): GrowthEvent {
  const growthRatio = fields.openingBalance > 0 ? (fields.closingBalance - fields.openingBalance) / fields.openingBalance : 0;
  const openingEquity = fields.openingEquity ?? null;
  const closingEquity = fields.closingEquity ?? null;
  const equityGrowthRatio =
    openingEquity !== null && closingEquity !== null && openingEquity > 0 ? (closingEquity - openingEquity) / openingEquity : null;
  return Object.freeze({
    eventType: EventType.GROWTH_TRACKING,
    ...fields,
    growthRatio,
    openingEquity,
    closingEquity,
    equityGrowthRatio,
  });
}

export function buildProfitLoss(fields: Omit<ProfitLossEvent, 'eventType'>): ProfitLossEvent {
  return Object.freeze({ eventType: EventType.PROFIT_LOSS, ...fields });
}

export function buildSystemEvent(
  kind: SystemEventKind,
  message: string,
  data: Record<string, unknown> | null,
  timestamp: number,
): SystemEvent {
  return Object.freeze({
    eventType: EventType.SYSTEM_EVENT,
    timestamp,
    kind,
    message,
    data: data === null ? null : Object.freeze({ ...data }),
  });
}
