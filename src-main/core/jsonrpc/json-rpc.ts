import { scanJson } from './json-scan.js';

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

export type Parsed =
  /** `exact`: the text means to any JSON parser what it means to JSON.parse. */
  | { ok: true; message: JsonRpcMessage; exact: boolean }
  | { ok: false; code: number; message: string; id: JsonRpcId | null };

/**
 * Parses one line as a JSON-RPC message: valid JSON, one object (batches were removed from MCP
 * in 2025-06-18), `jsonrpc: "2.0"`, no duplicate keys anywhere, and a well-typed id. Reports
 * whether the text is exact (see {@link scanJson}); a caller forwards an inexact text as the
 * re-serialized object it judged.
 */
export function parseMessage(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.ParseError, message: 'Parse error: the message is not valid JSON', id: null };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a batch (array); MCP does not use batches' : 'not a JSON object';
    return { ok: false, code: ErrorCode.InvalidRequest, message: `Invalid request: the message is ${what}`, id: null };
  }
  const message = value as JsonRpcMessage;
  const id = message.id;
  const readableId = typeof id === 'string' || typeof id === 'number' ? id : null;
  const { duplicate, inexactNumber } = scanJson(text);
  if (duplicate !== undefined) {
    return {
      ok: false,
      code: ErrorCode.InvalidRequest,
      message: `Invalid request: key "${duplicate.slice(0, 64)}" appears twice in one object; Warden refuses ambiguous messages`,
      id: readableId,
    };
  }
  if (message.jsonrpc !== '2.0') {
    return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid request: "jsonrpc" must be "2.0"', id: readableId };
  }
  if (id !== undefined && readableId === null && !(id === null && message.error !== undefined)) {
    return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid request: "id" must be a string or a number', id: null };
  }
  if (message.method !== undefined && typeof message.method !== 'string') {
    return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid request: "method" must be a string', id: readableId };
  }
  if (message.params !== undefined && (typeof message.params !== 'object' || message.params === null)) {
    return { ok: false, code: ErrorCode.InvalidRequest, message: 'Invalid request: "params" must be an object', id: readableId };
  }
  return { ok: true, message, exact: !inexactNumber };
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
