// What the client and the upstream must see for one line the client sends: the suite's own
// reading of JSON-RPC 2.0 and of issue 10, written independently of Warden's parser so it can
// disagree with it.
//
// A *request* is a JSON object with a `method` member and an `id` member (JSON-RPC 2.0 §4: a
// notification is a request object without an `id` member). How each shape must be answered:
// - not JSON, invalid JSON, a blank-but-not-empty line, or not an object (array = batch, number,
//   string, null): one error reply with id null (a blank line may also be skipped silently);
// - a request whose id is a string (well-formed UTF-16) or a safe integer, and that is otherwise
//   well-formed: exactly one reply with that id;
// - a request that is malformed: id not a string or a safe integer (null, object, array,
//   float, 123456789012345678901, 1e400, true, a string with a lone surrogate), `result` or
//   `error` members, `jsonrpc` not "2.0", `method` not a string, `params` not an object,
//   duplicate keys (also escaped spellings), a lone surrogate anywhere, nesting of 1000 levels
//   or more, a line over 4 MiB: exactly one reply that is a JSON-RPC *error*, with id null or
//   the request's id, and the request never reaches an upstream;
// - a notification (no id member): no reply, except that tools/call, resources/read and
//   prompts/get without id must be refused and never forwarded (Warden may say why with one
//   error reply with id null);
// - a response (no method; id and result or error): no reply; any other object without a
//   method may get one error reply with id null.
// Nesting from 65 to 999 levels may be served or refused (the issue asks for a bound "e.g. over
// 64 levels"), but never forwarded without its row.

/** Methods whose calls Warden judges and logs. */
export const AUDITED = new Set(['tools/call', 'resources/read', 'prompts/get']);
/** The tool a deny rule covers in the fuzz world. */
export const DENIED_TOOL = 'secret-tool';
/** The tool an ask rule covers in the fuzz world. */
export const ASK_TOOL = 'ask-tool';
/** Warden's default message limit (settings maxMessageBytes). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Nesting at or past this depth must be refused. */
export const MUST_REFUSE_DEPTH = 1000;
/** Nesting past this depth may be refused. */
export const MAY_REFUSE_DEPTH = 64;
/** Markers the generators put in arguments and URIs, unique per call. */
export const MARKER = /mk\d+n\d+z/g;

/** The map key of a reply id: 1 and "1" differ, -0 and 0 do not. */
export function idKey(id) {
  if (typeof id === 'number') return `n${id === 0 ? 0 : id}`;
  if (typeof id === 'string') return `s${id}`;
  return `x${JSON.stringify(id)}`;
}

/**
 * Scans valid JSON text without recursion: deepest nesting, whether some object repeats a key
 * (compared after unescaping), whether a string or key holds a lone surrogate.
 */
export function scanJsonText(text) {
  const stack = [];
  let maxDepth = 0;
  let duplicate = false;
  let loneSurrogate = false;
  let expectKey = false;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      stack.push(c === 0x7b ? new Set() : null);
      maxDepth = Math.max(maxDepth, stack.length);
      expectKey = c === 0x7b;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === 0x2c) {
      expectKey = stack.at(-1) instanceof Set;
      i++;
    } else if (c === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const value = JSON.parse(text.slice(i, j + 1));
      if (!value.isWellFormed()) loneSurrogate = true;
      if (expectKey) {
        const keys = stack.at(-1);
        if (keys.has(value)) duplicate = true;
        keys.add(value);
        expectKey = false;
      }
      i = j + 1;
    } else {
      if (c === 0x3a) expectKey = false;
      i++;
    }
  }
  return { maxDepth, duplicate, loneSurrogate };
}

const validId = (id) => (typeof id === 'string' && id.isWellFormed()) || Number.isSafeInteger(id);
const markersIn = (text) => [...new Set(text.match(MARKER) ?? [])];

/**
 * The expectation for one line (bytes without its "\n"). `hint` carries what only the sender
 * knows: how its ask will be answered (`answer`), whether it cancels the call (`cancelled`),
 * whether it reuses the id of a pending ask (`reused`: it must be refused, never forwarded).
 * Returns { key, reply, error, mustNotReach, markers, audited }, where `reply` is one of
 * exact | oneOrNone | idOrNull | null | optionalNull | none.
 */
export function expectationFor(bytes, hint = {}) {
  const text = bytes.toString('utf8');
  const markers = markersIn(text);
  const refuse = (key) => ({ key, reply: key === undefined ? 'null' : 'idOrNull', error: true, mustNotReach: true, markers });
  if (bytes.length > MAX_MESSAGE_BYTES) {
    const head = /^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*(\d{1,15}|"[a-z0-9-]*")/.exec(text.slice(0, 200));
    return refuse(head ? idKey(JSON.parse(head[1])) : undefined);
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return text.trim() === '' ? { reply: 'optionalNull', error: true, mustNotReach: true, markers } : refuse(undefined);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(undefined);
  const hasId = Object.hasOwn(value, 'id');
  const audited = AUDITED.has(value.method);
  if (!Object.hasOwn(value, 'method')) {
    const response = hasId && (Object.hasOwn(value, 'result') || Object.hasOwn(value, 'error'));
    return { key: response && validId(value.id) ? idKey(value.id) : undefined, reply: response ? 'none' : 'optionalNull', error: true, mustNotReach: false, markers };
  }
  const scan = scanJsonText(text);
  if (!hasId) return { reply: audited ? 'optionalNull' : 'none', error: true, mustNotReach: audited || scan.duplicate || scan.loneSurrogate, markers };
  const key = validId(value.id) || typeof value.id === 'number' || typeof value.id === 'string' ? idKey(value.id) : undefined;
  const params = value.params;
  const malformed =
    !validId(value.id) ||
    Object.hasOwn(value, 'result') ||
    Object.hasOwn(value, 'error') ||
    value.jsonrpc !== '2.0' ||
    typeof value.method !== 'string' ||
    (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) ||
    scan.duplicate ||
    scan.loneSurrogate ||
    scan.maxDepth >= MUST_REFUSE_DEPTH;
  if (malformed) return { ...refuse(key), audited };
  const target = value.method === 'resources/read' ? params?.uri : params?.name;
  const denied = audited && (typeof target !== 'string' || target === '' || (value.method === 'tools/call' && target === DENIED_TOOL));
  const asked = value.method === 'tools/call' && target === ASK_TOOL;
  const mayRun = !denied && !hint.reused && (!asked || hint.answer === 'allow' || hint.answer === 'cli-allow');
  if (scan.maxDepth > MAY_REFUSE_DEPTH) return { key, reply: 'idOrNull', error: false, mustNotReach: !mayRun, markers, audited };
  return { key, reply: hint.cancelled ? 'oneOrNone' : 'exact', error: false, mustNotReach: !mayRun, markers, audited };
}
