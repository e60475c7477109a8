import { scanJson } from './json-scan.js';
import { allWellFormed } from './json-walk.js';

export type JsonRpcId = string | number;

/** JSON-RPC and MCP error codes Warden answers with. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InternalError: -32603,
  /** Warden-specific: the upstream could not be reached or failed mid-call. */
  UpstreamUnavailable: -32001,
  /** Warden-specific: the client key was revoked. */
  Unauthorized: -32002,
  /** Warden-specific: policy refused a resource read or prompt (tools get an isError result). */
  Blocked: -32003,
} as const;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** What a well-formed message is, by the JSON-RPC 2.0 shapes MCP uses. */
export type MessageKind = 'request' | 'notification' | 'response';

export type Parsed =
  /** `exact`: the text means to any JSON parser what it means to JSON.parse. */
  | { ok: true; message: JsonRpcMessage; kind: MessageKind; exact: boolean }
  /**
   * `notification`: the refused message was no request (it had no id, or no method), so
   * JSON-RPC allows no reply to it; the caller drops it (and may note why) instead of answering.
   */
  | { ok: false; code: number; message: string; id: JsonRpcId | null; notification?: true };

/** Nesting Warden accepts in a client's message; deeper ones are refused before parsing. */
export const MAX_CLIENT_DEPTH = 64;
/** Nesting Warden accepts in an upstream's message (results can be richer than requests). */
export const MAX_UPSTREAM_DEPTH = 128;

/** True for a JSON-RPC id Warden can carry exactly: a string, or an integer a double holds. */
export function isValidId(id: unknown): id is JsonRpcId {
  return typeof id === 'string' || Number.isSafeInteger(id);
}

/**
 * Parses and classifies one line as a JSON-RPC message. Whatever cannot be classified without
 * doubt is refused, with one sentence saying what was wrong:
 * - not JSON, not one object (MCP has no batches), nested deeper than `maxDepth` (so no
 *   later step can be made to recurse too deep), a key twice in one
 *   object, a string with a lone surrogate, `jsonrpc` other than "2.0";
 * - an id that is not a string or a safe integer (a rounded or infinite number would no longer
 *   match its reply), `params` that is not an object;
 * - a request (method and id) that also carries `result` or `error`; a response (no method)
 *   without an id, or without exactly one of `result` and `error`; `id: null` except on an
 *   error response;
 * - a message with a method but no id whose method is not a notification (`notifications/…`):
 *   a call sent without an id would otherwise slip past every check as a notification. It is
 *   marked `notification`: being id-less, it gets no reply.
 *
 * Reports whether the text is exact (see {@link scanJson}); a caller forwards an inexact text
 * as the re-serialized object it judged.
 */
export function parseMessage(text: string, maxDepth: number = MAX_CLIENT_DEPTH): Parsed {
  const scan = scanJson(text, maxDepth);
  let value: unknown;
  try {
    // JSON.parse itself is iterative in V8, so a deep text cannot overflow it; what it builds
    // is refused below before anything walks it.
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.ParseError, message: 'Parse error: the message is not valid JSON', id: null };
  }
  if (scan.tooDeep) {
    const id = (value as { id?: unknown } | null)?.id;
    return invalid(`the message nests objects or arrays deeper than ${maxDepth} levels; send flatter data`, isValidId(id) ? id : null);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a batch (array); MCP does not use batches' : 'not a JSON object';
    return invalid(`the message is ${what}`, null);
  }
  const message = value as JsonRpcMessage;
  const id = message.id;
  const readableId = isValidId(id) ? id : null;
  if (scan.duplicate !== undefined) {
    return invalid(`key "${scan.duplicate.slice(0, 64)}" appears twice in one object; Warden refuses ambiguous messages`, readableId);
  }
  if (scan.escapes && !allWellFormed(message)) {
    return invalid('a string in the message holds a lone surrogate (\\ud800–\\udfff without its pair), which is not valid Unicode', readableId);
  }
  if (message.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"', readableId);
  const hasId = Object.hasOwn(message, 'id');
  const hasMethod = Object.hasOwn(message, 'method');
  const hasResult = Object.hasOwn(message, 'result');
  const hasError = Object.hasOwn(message, 'error');
  if (hasId && readableId === null && !(id === null && hasError && !hasMethod)) {
    const refusal = invalid('"id" must be a string or an integer of at most 15 digits', null);
    return hasMethod ? refusal : { ...refusal, notification: true };
  }
  if (hasMethod && typeof message.method !== 'string') return invalid('"method" must be a string', readableId);
  if (message.params !== undefined && (typeof message.params !== 'object' || message.params === null || Array.isArray(message.params))) {
    return invalid('"params" must be an object', readableId);
  }
  const exact = !scan.inexactNumber;
  if (hasMethod) {
    if (hasResult || hasError) return invalid('a message with a "method" must not carry "result" or "error"', readableId);
    if (hasId) return { ok: true, message, kind: 'request', exact };
    if (!(message.method as string).startsWith('notifications/')) {
      return { ...invalid(`"${(message.method as string).slice(0, 64)}" is not a notification, but the message has no "id"; give it an id`, null), notification: true };
    }
    return { ok: true, message, kind: 'notification', exact };
  }
  // Without a method the message is no request: a refusal of it gets no reply either.
  if (!hasId) return { ...invalid('the message has neither a "method" nor an "id"', null), notification: true };
  if (hasResult === hasError) return { ...invalid('a response must carry exactly one of "result" and "error"', readableId), notification: true };
  return { ok: true, message, kind: 'response', exact };
}

function invalid(what: string, id: JsonRpcId | null): Extract<Parsed, { ok: false }> {
  return { ok: false, code: ErrorCode.InvalidRequest, message: `Invalid request: ${what}`, id };
}

/** Reads a request id from the first bytes of a line too large to parse, if one is there. */
export function idFromHead(head: string): JsonRpcId | null {
  const match = /^\s*\{(?:[^{}[\]]*?,)?\s*"id"\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.){0,200}")/.exec(head);
  if (!match) return null;
  const raw = match[1] as string;
  try {
    return JSON.parse(raw) as JsonRpcId;
  } catch {
    return null;
  }
}

/** Serializes an error response line. */
export function errorLine(id: JsonRpcId | null, code: number, message: string, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', id, error }) + '\n';
}
