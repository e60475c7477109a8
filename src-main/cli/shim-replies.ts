/**
 * What the shim says to the client itself, and what it reads in the core's answers, while it
 * keeps a session across restarts of the core.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */
import type { HandshakeMethod, Id } from './line-peek.js';

/** Sent again after a replayed initialize, when the client had sent it. */
export const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}\n';

/**
 * For a request the core had when it went away. The shim reads only as much of a line as it
 * needs: it knows an initialize (which changes nothing, so it was simply not answered), and
 * any other request may have been a tool call that took effect.
 */
export function restarted(method: HandshakeMethod | undefined): string {
  return method === 'initialize'
    ? 'the Warden core restarted before it answered initialize; send it again'
    : 'the Warden core restarted while this request was in flight, so the call may or may not have taken effect; retry it';
}
/** For a request whose line was only partly sent when the connection broke. */
export const CUT = 'the connection to the Warden core broke while this request was being sent, so the call was not made; retry it';

/**
 * The error response line for request `id` (a tracked id: a number, or a string's JSON text),
 * saying `message`; undefined for a string id that is not JSON text (no line could name it).
 */
export function errorReply(id: Id, message: string): string | undefined {
  if (typeof id === 'string') {
    try {
      JSON.parse(id);
    } catch {
      return undefined;
    }
  }
  return `{"jsonrpc":"2.0","id":${id},"error":{"code":-32001,"message":${JSON.stringify(`MCP Warden: ${message}`)}}}\n`;
}

/** Why the core refused the hello its answer `line` answers; undefined when it accepted it. */
export function helloRefusal(line: Buffer): string | undefined {
  let reply: { ok?: unknown; error?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(line.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) reply = parsed;
  } catch {
    return 'the Warden core sent an unreadable reply; update the shim and the app together';
  }
  if (reply.ok === true) return undefined;
  return typeof reply.error === 'string' ? reply.error : 'the Warden core refused the connection';
}

/** The error message of a response line (cut to 300 characters), if it is an error. */
export function refusal(line: Buffer): string | undefined {
  try {
    const message = (JSON.parse(line.toString('utf8')) as { error?: { message?: unknown } }).error?.message;
    return message === undefined ? undefined : String(message).slice(0, 300);
  } catch {
    return 'an unreadable reply';
  }
}
