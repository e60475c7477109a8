// The guarantees of DESIGN.md (1, 2 and the reply half of 5) as checks over what was measured
// in one run: the lines the client sent, the lines the shim printed, the lines each upstream
// received (recording-server.mjs) and the audit rows. Each returns sentences naming the
// offending line; an empty list means the guarantee held.
import { AUDITED, DENIED_TOOL, MARKER, expectationFor, idKey } from './jsonrpc-oracle.mjs';

/** A line cut and escaped for a report. */
export const show = (text) => JSON.stringify(String(text).length > 240 ? `${String(text).slice(0, 240)}…(${String(text).length} chars)` : String(text));

const allowedRow = (row) => row.decision === 'allow' || (row.decision === 'ask' && /"answer":"allow/.test(row.notes ?? ''));

/** What a received line is: its method (from JSON, or from the text when it does not parse). */
function readReceived(bytes) {
  const text = bytes.toString('utf8');
  let method;
  let name;
  try {
    const value = JSON.parse(text);
    method = value?.method;
    name = value?.params?.name;
  } catch {
    method = /"method"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    name = text.includes(DENIED_TOOL) ? DENIED_TOOL : undefined;
  }
  return { text, method, name, markers: [...new Set(text.match(MARKER) ?? [])] };
}

/**
 * Guarantee 1: every tools/call, resources/read and prompts/get an upstream received has a
 * committed row that allowed it (allow, or ask answered allow), counted per marker; the denied
 * tool is never received.
 */
export function checkReceivedHaveRows(received, rows) {
  const problems = [];
  const allowed = new Map();
  for (const row of rows) {
    if (!allowedRow(row)) continue;
    for (const marker of new Set(`${row.target ?? ''} ${row.arguments ?? ''}`.match(MARKER) ?? [])) allowed.set(marker, (allowed.get(marker) ?? 0) + 1);
  }
  const seen = new Map();
  for (const bytes of received) {
    const line = readReceived(bytes);
    if (!AUDITED.has(line.method)) continue;
    if (line.method === 'tools/call' && line.name === DENIED_TOOL) problems.push(`the upstream received a call of the denied tool: ${show(line.text)}`);
    if (line.markers.length === 0) problems.push(`the upstream received a ${line.method} no row can be matched to: ${show(line.text)}`);
    for (const marker of line.markers) {
      const count = (seen.get(marker) ?? 0) + 1;
      seen.set(marker, count);
      if (count > (allowed.get(marker) ?? 0)) {
        problems.push(`the upstream received ${line.method} ${marker} (${count}x) but only ${allowed.get(marker) ?? 0} committed row(s) allowed it: ${show(line.text)}`);
      }
    }
  }
  return problems;
}

/**
 * Guarantee 2: no line Warden must refuse reaches an upstream (matched by its markers). A
 * violation names the rows that carry the marker (decision, outcome, notes), to tell a wrong
 * decision from a wrong forward.
 */
export function checkRefusedNeverForwarded(sent, received, rows = []) {
  const forbidden = new Map();
  for (const { bytes, hint } of sent) {
    const expectation = expectationFor(bytes, hint);
    if (expectation.mustNotReach) for (const marker of expectation.markers) forbidden.set(marker, bytes.toString('utf8'));
  }
  const problems = [];
  for (const bytes of received) {
    for (const marker of readReceived(bytes).markers) {
      if (!forbidden.has(marker)) continue;
      const found = rows
        .filter((row) => `${row.target ?? ''} ${row.arguments ?? ''}`.includes(marker))
        .map((row) => `#${row.id} ${row.decision}/${row.outcome} ${show(row.reason)} notes ${show(row.notes)}`);
      problems.push(`a message Warden must refuse reached the upstream: sent ${show(forbidden.get(marker))}, received ${show(bytes.toString('utf8'))}; rows: ${found.join('; ') || 'none'}`);
    }
  }
  return problems;
}

/**
 * Every request gets exactly one reply (with its id, or one error with id null where the id
 * is unusable), notifications and responses none, refusals are errors; no reply carries an id
 * no request had.
 */
export function checkReplies(sent, replyLines) {
  const problems = [];
  const perKey = new Map();
  let requiredNull = 0;
  let optionalNull = 0;
  const needNull = [];
  for (const { bytes, hint } of sent) {
    const e = expectationFor(bytes, hint);
    const text = bytes.toString('utf8');
    if (e.reply === 'null') {
      requiredNull++;
      needNull.push(text);
    }
    if (e.reply === 'optionalNull') optionalNull++;
    if (e.key === undefined) continue;
    const slot = perKey.get(e.key) ?? { exact: 0, oneOrNone: 0, idOrNull: 0, none: 0, errorOnly: true, texts: [] };
    slot[e.reply === 'null' || e.reply === 'optionalNull' ? 'idOrNull' : e.reply]++;
    if (!e.error) slot.errorOnly = false;
    slot.texts.push(text);
    perKey.set(e.key, slot);
  }
  const byKey = new Map();
  const nulls = [];
  for (const text of replyLines) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      problems.push(`the shim printed a line that is not JSON: ${show(text)}`);
      continue;
    }
    if (message === null || typeof message !== 'object' || message.method !== undefined) continue;
    if (message.id === null || message.id === undefined) nulls.push(message);
    else byKey.set(idKey(message.id), [...(byKey.get(idKey(message.id)) ?? []), message]);
  }
  for (const [key, slot] of perKey) {
    const got = byKey.get(key) ?? [];
    const request = show(slot.texts[0]);
    if (got.length < slot.exact) problems.push(`no reply (${got.length} of ${slot.exact}) to ${request}`);
    let surplus = Math.max(0, got.length - slot.exact);
    const byId = Math.min(slot.idOrNull, surplus);
    requiredNull += slot.idOrNull - byId;
    if (slot.idOrNull > byId) needNull.push(...slot.texts);
    surplus -= byId;
    if (surplus > slot.oneOrNone) problems.push(`${got.length} replies with the id of ${request} (one expected): ${got.map((m) => show(JSON.stringify(m))).join(', ')}`);
    if (slot.none > 0 && slot.exact + slot.oneOrNone + slot.idOrNull === 0 && got.length > 0) problems.push(`a reply to a message that is not a request: ${request}`);
    if (slot.errorOnly && slot.none === 0) {
      for (const m of got) if (m.error === undefined) problems.push(`a message Warden must refuse got a result instead of an error: ${request} → ${show(JSON.stringify(m))}`);
    }
  }
  for (const [key, got] of byKey) {
    if (!perKey.has(key)) problems.push(`a reply with an id no request carried (${key}): ${show(JSON.stringify(got[0]))}`);
  }
  if (nulls.length < requiredNull) problems.push(`${nulls.length} error replies with id null, but ${requiredNull} messages needed one (a refusal with their id or with null): ${needNull.slice(0, 6).map(show).join(', ')}`);
  if (nulls.length > requiredNull + optionalNull) problems.push(`${nulls.length} replies with id null, at most ${requiredNull + optionalNull} expected: ${nulls.map((m) => show(JSON.stringify(m))).join(', ')}`);
  for (const m of nulls) if (m.error === undefined) problems.push(`a reply with id null that is not an error: ${show(JSON.stringify(m))}`);
  return problems;
}
