/**
 * What the shim needs to know of a JSON-RPC line, read without parsing it: whether it is a
 * request, a notification or a response, its id, and whether it is the handshake. The shim
 * uses it only to survive a core restart (which ids are waiting, what to replay), never to
 * judge a message: the core does that.
 *
 * Two bounded scans stand in for a parse: one over the members at the head of the object, one
 * backwards over the members at its tail, each stopping at the first nested value (SDKs write
 * `method` first and `id` last, others `id` and `method` first). Lines the scans leave unclear
 * are parsed when small, and otherwise taken at the scans' word.
 *
 * Node built-ins only: this file is part of the shim's bundle.
 */

/** Bytes each scan may look at, from the head and from the tail of a line. */
export const SCAN_LIMIT = 1024;
/** Unclear lines up to this size are parsed with JSON.parse. */
const PARSE_LIMIT = 16 * 1024;
/** Longer ids are not tracked (no client uses them; their text would be a cost). */
const MAX_ID_BYTES = 256;
const MAX_MEMBERS = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export type LineKind = 'request' | 'notification' | 'response' | 'unknown';
/** The two methods whose lines the shim keeps or replays. */
export type HandshakeMethod = 'initialize' | 'initialized' | 'other';

/**
 * A request id as a key: a safe integer as itself, any other id as its JSON text (`"a"`), so
 * 1 and "1" stay apart and the same id always gives the same key.
 */
export type Id = number | string;

/** What a peek found. */
export interface Peek {
  kind: LineKind;
  id: Id | undefined;
  method: HandshakeMethod | undefined;
}

interface Found {
  id: Id | undefined;
  method: HandshakeMethod | undefined;
  response: boolean;
  /** A key spelled with escapes: the scans cannot compare it, so the line is unclear. */
  unclear: boolean;
}

// The bytes after `{"m`, `{"r`, `{"e` of the SDK shapes, and the two handshake methods.
const ETHOD = Buffer.from('ethod":"');
const ESULT = Buffer.from('esult":');
const RROR = Buffer.from('rror":');
const INITIALIZE = Buffer.from('initialize');
const INITIALIZED = Buffer.from('notifications/initialized');
/** What a line that starts with a method is, to a reader that only needs responses. */
const NOT_A_RESPONSE: Peek = Object.freeze({ kind: 'notification', id: undefined, method: 'other' });

/**
 * Peeks at a line held whole in `buf[start, end)` (without its newline). With `responsesOnly`,
 * a line that starts with a method may be reported as a notification without its id.
 */
export function peekLine(buf: Buffer, start: number, end: number, responsesOnly = false): Peek {
  return fastPeek(buf, start, end, responsesOnly) ?? slowPeek(buf, start, end);
}

/**
 * The shapes the SDKs write (`{"method":"M",…,"id":X}`, `{"result":…,"id":X}`), recognized by
 * reading a few bytes, cheaper than a call into a Buffer method (and than any call at all while
 * the code is not yet optimized). Undefined for any other shape.
 */
function fastPeek(buf: Buffer, start: number, end: number, responsesOnly: boolean): Peek | undefined {
  if (end - start < 16 || buf[start] !== 0x7b || buf[start + 1] !== QUOTE) return undefined;
  const key = buf[start + 2];
  if (key === 0x6d && matches(buf, start + 3, ETHOD)) {
    if (responsesOnly) return NOT_A_RESPONSE;
    const id = tailId(buf, start, end);
    if (id === undefined) return undefined;
    const from = start + 11;
    const method =
      buf[from + 10] === QUOTE && matches(buf, from, INITIALIZE)
        ? 'initialize'
        : buf[from + 25] === QUOTE && matches(buf, from, INITIALIZED)
          ? 'initialized'
          : 'other';
    return { kind: 'request', id, method };
  }
  if ((key === 0x72 && matches(buf, start + 3, ESULT)) || (key === 0x65 && matches(buf, start + 3, RROR))) {
    const id = tailId(buf, start, end);
    return id === undefined ? undefined : { kind: 'response', id, method: undefined };
  }
  return undefined;
}

function matches(buf: Buffer, at: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

/**
 * The id of a line that ends `,"id":X}` with X a plain integer or a string without escapes.
 * That `"id"` is a member of the outermost object: the final brace closes it.
 */
function tailId(buf: Buffer, start: number, end: number): Id | undefined {
  const last = end - 2;
  if (buf[end - 1] !== 0x7d) return undefined;
  let first = last;
  let value = 0;
  if (buf[last] === QUOTE) {
    for (first = last - 1; first > start && last - first <= MAX_ID_BYTES; first--) {
      const byte = buf[first] as number;
      if (byte === QUOTE) break;
      if (byte === BACKSLASH || byte >= 0x80 || byte < 0x20) return undefined;
    }
    if (buf[first] !== QUOTE || first === last) return undefined;
  } else {
    for (let scale = 1; first > start && last - first < 15; first--, scale *= 10) {
      const digit = (buf[first] as number) - 0x30;
      if (digit < 0 || digit > 9) break;
      value += digit * scale;
    }
    if (first === last) return undefined;
    // A leading zero or a minus sign: leave such ids to the full scan.
    if (buf[first + 1] === 0x30 && first + 1 !== last) return undefined;
    if (buf[first] === 0x2d) return undefined;
    first++;
  }
  const key = first - 6;
  if (key <= start || buf[first - 1] !== 0x3a || buf[key + 4] !== QUOTE || buf[key + 3] !== 0x64 || buf[key + 2] !== 0x69 || buf[key + 1] !== QUOTE) return undefined;
  if (buf[key] !== 0x2c && buf[key] !== 0x7b) return undefined;
  return buf[last] === QUOTE ? buf.toString('latin1', first, last + 1) : value;
}

function slowPeek(buf: Buffer, start: number, end: number): Peek {
  const found: Found = { id: undefined, method: undefined, response: false, unclear: false };
  const complete = scanHead(buf, start, end, found) || scanTail(buf, start, end, found);
  return decide(found, complete) ?? (end - start <= PARSE_LIMIT ? parsePeek(buf, start, end) : guess(found));
}

/**
 * Peeks at a long line of which only the first bytes (`head[0, headEnd)`) and the last ones
 * (`tail[0, tailEnd)`) are at hand.
 */
export function peekParts(head: Buffer, headEnd: number, tail: Buffer, tailEnd: number): Peek {
  const found: Found = { id: undefined, method: undefined, response: false, unclear: false };
  const complete = scanHead(head, 0, headEnd, found) || scanTail(tail, 0, tailEnd, found);
  return decide(found, complete) ?? guess(found);
}

function decide(found: Found, complete: boolean): Peek | undefined {
  if (found.unclear) return undefined;
  if (found.method !== undefined) {
    if (found.id !== undefined) return { kind: 'request', id: found.id, method: found.method };
    return complete ? { kind: 'notification', id: undefined, method: found.method } : undefined;
  }
  // A request carrying `result` or `error` is refused by the core: either way it is no request.
  if (complete || (found.response && found.id !== undefined)) return { kind: 'response', id: found.id, method: undefined };
  return undefined;
}

function guess(found: Found): Peek {
  if (found.method !== undefined) return { kind: found.id === undefined ? 'notification' : 'request', id: found.id, method: found.method };
  return { kind: found.id === undefined ? 'unknown' : 'response', id: found.id, method: undefined };
}

function parsePeek(buf: Buffer, start: number, end: number): Peek {
  let message: unknown;
  try {
    message = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    return { kind: 'unknown', id: undefined, method: undefined };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { kind: 'unknown', id: undefined, method: undefined };
  const { id: rawId, method } = message as { id?: unknown; method?: unknown };
  const id = idKey(rawId);
  if (typeof method !== 'string') return { kind: 'response', id, method: undefined };
  const kind = method === 'initialize' ? 'initialize' : method === 'notifications/initialized' ? 'initialized' : 'other';
  return { kind: id === undefined ? 'notification' : 'request', id, method: kind };
}

/** Scans members from the head; true when it reached the object's closing brace. */
function scanHead(buf: Buffer, start: number, end: number, found: Found): boolean {
  const limit = Math.min(end, start + SCAN_LIMIT);
  let i = skipSpace(buf, start, limit);
  if (i >= limit || buf[i] !== 0x7b) return false;
  i = skipSpace(buf, i + 1, limit);
  if (i < limit && buf[i] === 0x7d) return true;
  for (let members = 0; members < MAX_MEMBERS; members++) {
    if (i >= limit || buf[i] !== QUOTE) return false;
    const keyStart = i;
    const keyEnd = stringEnd(buf, i, limit);
    if (keyEnd === -1) return false;
    i = skipSpace(buf, keyEnd, limit);
    if (i >= limit || buf[i] !== 0x3a) return false;
    const valueStart = skipSpace(buf, i + 1, limit);
    if (valueStart >= limit) return false;
    const first = buf[valueStart] as number;
    if (first === 0x7b || first === 0x5b) {
      note(found, buf, keyStart, keyEnd, valueStart, valueStart);
      return false;
    }
    const valueEnd = first === QUOTE ? stringEnd(buf, valueStart, limit) : scalarEnd(buf, valueStart, limit);
    if (valueEnd === -1 || valueEnd === valueStart) return false;
    note(found, buf, keyStart, keyEnd, valueStart, valueEnd);
    i = skipSpace(buf, valueEnd, limit);
    if (i >= limit) return false;
    if (buf[i] === 0x7d) return true;
    if (buf[i] !== 0x2c) return false;
    i = skipSpace(buf, i + 1, limit);
  }
  return false;
}

/** Scans members backwards from the tail; true when it reached the object's opening brace. */
function scanTail(buf: Buffer, start: number, end: number, found: Found): boolean {
  const limit = Math.max(start, end - SCAN_LIMIT);
  let j = skipSpaceBack(buf, end - 1, limit);
  if (j < limit || buf[j] !== 0x7d) return false;
  j = skipSpaceBack(buf, j - 1, limit);
  if (j >= limit && buf[j] === 0x7b) return true;
  for (let members = 0; members < MAX_MEMBERS; members++) {
    if (j < limit) return false;
    const last = buf[j] as number;
    if (last === 0x7d || last === 0x5d) return false;
    const valueStart = last === QUOTE ? stringStart(buf, j, limit) : scalarStart(buf, j, limit);
    if (valueStart === -1 || valueStart > j) return false;
    let k = skipSpaceBack(buf, valueStart - 1, limit);
    if (k < limit || buf[k] !== 0x3a) return false;
    k = skipSpaceBack(buf, k - 1, limit);
    if (k < limit || buf[k] !== QUOTE) return false;
    const keyStart = stringStart(buf, k, limit);
    if (keyStart === -1) return false;
    note(found, buf, keyStart, k + 1, valueStart, j + 1);
    j = skipSpaceBack(buf, keyStart - 1, limit);
    if (j < limit) return false;
    if (buf[j] === 0x7b) return true;
    if (buf[j] !== 0x2c) return false;
    j = skipSpaceBack(buf, j - 1, limit);
  }
  return false;
}

/** Records a member: key `buf[keyStart, keyEnd)` and value `buf[valueStart, valueEnd)`, quotes included. */
function note(found: Found, buf: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
  const keyLength = keyEnd - keyStart - 2;
  for (let k = keyStart + 1; k < keyEnd - 1; k++) {
    if (buf[k] === BACKSLASH) {
      found.unclear = true;
      return;
    }
  }
  if (keyLength === 2 && isKey(buf, keyStart, 'id')) {
    found.id = idText(buf, valueStart, valueEnd);
  } else if (keyLength === 6 && isKey(buf, keyStart, 'method')) {
    if (buf[valueStart] !== QUOTE) {
      found.unclear = true;
      return;
    }
    found.method = isText(buf, valueStart + 1, valueEnd - 1, 'initialize')
      ? 'initialize'
      : isText(buf, valueStart + 1, valueEnd - 1, 'notifications/initialized')
        ? 'initialized'
        : 'other';
  } else if ((keyLength === 6 && isKey(buf, keyStart, 'result')) || (keyLength === 5 && isKey(buf, keyStart, 'error'))) {
    found.response = true;
  }
}

/** An id's key from its JSON text `buf[start, end)`: strings and numbers only. */
function idText(buf: Buffer, start: number, end: number): Id | undefined {
  if (end - start > MAX_ID_BYTES || end === start) return undefined;
  const first = buf[start] as number;
  if (first !== QUOTE && first !== 0x2d && (first < 0x30 || first > 0x39)) return undefined;
  try {
    return idKey(JSON.parse(buf.toString('utf8', start, end)));
  } catch {
    return undefined;
  }
}

function idKey(value: unknown): Id | undefined {
  // The core answers a request whose id is not a string or a safe integer with id null, so such
  // an id is never tracked: it could not be matched to its answer.
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = JSON.stringify(value);
  return text.length <= MAX_ID_BYTES ? text : undefined;
}

function isKey(buf: Buffer, keyStart: number, key: string): boolean {
  return isText(buf, keyStart + 1, keyStart + 1 + key.length, key);
}

function isText(buf: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === 0x0a;
}

function skipSpace(buf: Buffer, i: number, limit: number): number {
  while (i < limit && isSpace(buf[i])) i++;
  return i;
}

function skipSpaceBack(buf: Buffer, j: number, limit: number): number {
  while (j >= limit && isSpace(buf[j])) j--;
  return j;
}

/** Index past the closing quote of the string whose opening quote is at `i`, or -1. */
function stringEnd(buf: Buffer, i: number, limit: number): number {
  let from = i + 1;
  for (;;) {
    const quote = buf.indexOf(QUOTE, from);
    if (quote === -1 || quote >= limit) return -1;
    if (!escaped(buf, quote, i + 1)) return quote + 1;
    from = quote + 1;
  }
}

/** Index of the opening quote of the string whose closing quote is at `j`, or -1. */
function stringStart(buf: Buffer, j: number, limit: number): number {
  let from = j - 1;
  while (from >= limit) {
    const quote = buf.lastIndexOf(QUOTE, from);
    if (quote === -1 || quote < limit) return -1;
    if (!escaped(buf, quote, limit)) return quote;
    from = quote - 1;
  }
  return -1;
}

/** Whether the quote at `at` is escaped: an odd run of backslashes before it. */
function escaped(buf: Buffer, at: number, floor: number): boolean {
  let run = 0;
  for (let k = at - 1; k >= floor && buf[k] === BACKSLASH; k--) run++;
  return run % 2 === 1;
}

function isScalarByte(byte: number | undefined): boolean {
  if (byte === undefined) return false;
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x2d || byte === 0x2b || byte === 0x2e || byte === 0x45;
}

function scalarEnd(buf: Buffer, i: number, limit: number): number {
  while (i < limit && isScalarByte(buf[i])) i++;
  return i;
}

function scalarStart(buf: Buffer, j: number, limit: number): number {
  while (j >= limit && isScalarByte(buf[j])) j--;
  return j + 1;
}
