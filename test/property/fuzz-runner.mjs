// One fuzz run against a live core, shared by the property suite and `npm run fuzz` / `soak`:
// open a shim session, send a rendered batch, answer its asks as the batch says, wait until
// every request is answered, then measure and check every guarantee.
//
// The caller passes a driver: { dataDir, recordFiles: { rec, plain }, admin (AdminClient),
// openShim(server) → { send(bytes), lines: string[], close() }, cli(args) → { code, stdout,
// stderr }, corePid() }.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkReceivedHaveRows, checkRefusedNeverForwarded, checkReplies, show } from './guarantee-checks.mjs';
import { RenderContext, renderBatch, writeBytes } from './jsonrpc-arbitraries.mjs';
import { expectationFor, idKey } from './jsonrpc-oracle.mjs';

/** The approval timeout the fuzz world sets (the least Warden accepts). */
export const APPROVAL_TIMEOUT_S = 5;
/** An ask is answered once it has waited this long, so cancels and reused ids meet it pending. */
const ANSWER_AFTER_MS = 600;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Adds the two recording servers, the deny and ask rules and the settings of the fuzz world. */
export async function setupWorld(ok, dataDir, recordingServer) {
  const recordFiles = { rec: join(dataDir, 'received-rec.jsonl'), plain: join(dataDir, 'received-plain.jsonl') };
  await ok(['server', 'add', 'rec', '--command', process.execPath, '--arg', recordingServer, '--env', `RECORD_FILE=${recordFiles.rec}`, '--default-action', 'allow']);
  await ok(['server', 'add', 'plain', '--command', process.execPath, '--arg', recordingServer, '--env', `RECORD_FILE=${recordFiles.plain}`, '--env', 'RECORD_PLAIN=1', '--default-action', 'allow']);
  for (const server of ['rec', 'plain']) {
    await ok(['rule', 'add', '--server', server, '--tool', 'secret-tool', '--action', 'deny']);
    await ok(['rule', 'add', '--server', server, '--tool', 'ask-tool', '--action', 'ask']);
  }
  await ok(['settings', 'set', 'approvalTimeoutSeconds', String(APPROVAL_TIMEOUT_S)]);
  await ok(['settings', 'set', 'defaultClientLimitPerMinute', '1000000']);
  return recordFiles;
}

/** Reads a file from `offset` on: { bytes, offset } (missing file: nothing yet). */
export function readFrom(path, offset) {
  let size;
  try {
    size = statSync(path).size;
  } catch {
    return { bytes: Buffer.alloc(0), offset };
  }
  if (size <= offset) return { bytes: Buffer.alloc(0), offset };
  const bytes = Buffer.alloc(size - offset);
  const fd = openSync(path, 'r');
  readSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
  return { bytes, offset: size };
}

const splitLines = (bytes) => {
  const lines = [];
  for (let start = 0, nl; (nl = bytes.indexOf(0x0a, start)) !== -1; start = nl + 1) lines.push(bytes.subarray(start, nl));
  return lines;
};

/** Where the previous run stopped reading: record files, rows, the core's log. */
export function freshCursor() {
  return { rec: 0, plain: 0, rowId: 0, wardenLog: 0 };
}

/** Answers this run's asks as their hints say, once each has waited ANSWER_AFTER_MS. */
async function answerAsks(driver, answers, firstSeen) {
  const { approvals } = await driver.admin.call('approvals.list', {});
  for (const approval of approvals) {
    const marker = approval.arguments.match(/mk\d+n\d+z/)?.[0];
    if (marker === undefined || !answers.has(marker)) continue;
    if (!firstSeen.has(approval.id)) firstSeen.set(approval.id, Date.now());
    if (Date.now() - firstSeen.get(approval.id) < ANSWER_AFTER_MS) continue;
    const answer = answers.get(marker);
    answers.delete(marker);
    if (answer === 'allow' || answer === 'deny') await driver.admin.call('approvals.answer', { id: approval.id, answer: answer === 'allow' ? 'allow-once' : 'deny' }).catch(() => undefined);
    if (answer === 'cli-allow' || answer === 'cli-deny') await driver.cli(['approvals', answer.slice(4), approval.id]);
  }
}

/**
 * Runs one batch in its own shim session and checks the guarantees. Returns { violations:
 * { alive, rows, refused, replies, verify, uncaught, approvals }, stats }; `cursor` advances.
 * `replyWaitMs`: how long a missing reply is waited for (longer when an ask times out).
 */
export async function runBatch(driver, batch, run, cursor, { verifyWithCli = true, replyWaitMs = 6000 } = {}) {
  const ctx = new RenderContext(run);
  const writes = renderBatch(batch, ctx);
  const sent = writes.flatMap((w) => w.lines);
  const answers = new Map();
  let waitMs = replyWaitMs;
  for (const { bytes, hint } of sent) {
    const marker = bytes.toString('utf8').match(/mk\d+n\d+z/)?.[0];
    if (marker !== undefined && ['allow', 'deny', 'cli-allow', 'cli-deny'].includes(hint.answer)) answers.set(marker, hint.answer);
    if (hint.answer === 'timeout') waitMs = Math.max(waitMs, APPROVAL_TIMEOUT_S * 1000 + 4000);
  }
  const violations = { alive: [], rows: [], refused: [], replies: [], verify: [], uncaught: [], approvals: [] };
  const pidBefore = driver.corePid();
  const rowIdBefore = cursor.rowId;
  const shim = await driver.openShim(batch.server);
  const init = Buffer.from(`{"jsonrpc":"2.0","id":"init-${run}","method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"fuzz","version":"1"}}}`);
  shim.send(Buffer.concat([init, Buffer.from('\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n')]));
  const started = Date.now();
  for (const write of writes) {
    if (write.delayMs > 0) await sleep(Math.max(0, started + write.delayMs - Date.now()));
    shim.send(writeBytes(write));
  }
  const all = [{ bytes: init, hint: {} }, ...sent];
  const needed = all.map((l) => expectationFor(l.bytes, l.hint)).filter((e) => e.reply === 'exact').map((e) => e.key);
  const firstSeen = new Map();
  const deadline = Date.now() + waitMs;
  let quietSince = Date.now();
  let seen = 0;
  while (Date.now() < deadline) {
    await answerAsks(driver, answers, firstSeen).catch(() => undefined);
    if (shim.lines.length !== seen) {
      seen = shim.lines.length;
      quietSince = Date.now();
    }
    const keys = new Set(shim.lines.map((text) => replyKey(text)));
    if (needed.every((key) => keys.has(key)) && answers.size === 0 && Date.now() - quietSince > 200) break;
    await sleep(100);
  }
  // A normal call on the same session: the session and the core survived the batch.
  const probe = Buffer.from(`{"jsonrpc":"2.0","id":"probe-${run}","method":"tools/call","params":{"name":"echo","arguments":{"marker":"${ctx.marker()}","text":"still here"}}}`);
  all.push({ bytes: probe, hint: {} });
  shim.send(Buffer.concat([probe, Buffer.from('\n')]));
  const probeDeadline = Date.now() + 10_000;
  while (Date.now() < probeDeadline && !shim.lines.some((text) => replyKey(text) === `sprobe-${run}`)) await sleep(50);
  const probeReply = shim.lines.find((text) => replyKey(text) === `sprobe-${run}`);
  if (!probeReply || !/echo: still here|"ran"/.test(probeReply)) violations.alive.push(`a normal call after the batch was not served: ${show(probeReply ?? 'no reply')}`);
  await sleep(200);
  await shim.close();
  await sleep(100);

  const pidAfter = driver.corePid();
  if (pidBefore === undefined || pidAfter !== pidBefore) violations.alive.push(`the core died (pid ${pidBefore} before, ${pidAfter ?? 'none'} after)`);
  const received = [];
  for (const server of ['rec', 'plain']) {
    const chunk = readFrom(driver.recordFiles[server], cursor[server]);
    cursor[server] = chunk.offset;
    received.push(...splitLines(chunk.bytes));
  }
  const rows = await driver.admin.rowsAfter(cursor.rowId).catch(() => []);
  cursor.rowId = Math.max(cursor.rowId, ...rows.map((row) => row.id));
  violations.rows.push(...checkReceivedHaveRows(received, rows));
  violations.refused.push(...checkRefusedNeverForwarded(all, received, rows));
  violations.replies.push(...checkReplies(all, shim.lines));
  const stuck = (await driver.admin.call('approvals.list', {}).catch(() => ({ approvals: [] }))).approvals.filter((a) => a.arguments.includes(`mk${run}n`));
  for (const approval of stuck) {
    violations.approvals.push(`approval ${approval.id} (${approval.tool} ${show(approval.arguments)}) is still listed after its call ended`);
    await driver.admin.call('approvals.answer', { id: approval.id, answer: 'deny' }).catch(() => undefined);
  }
  // Verify stops at its first bad row, so a row broken by an earlier run hides this run's
  // rows: a failure counts against this run only when the bad row is one of its own.
  const verify = verifyWithCli
    ? await driver.cli(['log', 'verify']).then((r) => ({ ok: r.code === 0, problem: `warden log verify exited ${r.code}: ${r.stderr.trim()}` }))
    : await driver.admin.call('log.verify', {}).then((r) => ({ ok: r.ok, problem: `the audit log does not verify: ${r.problem}` }), (error) => ({ ok: false, problem: error.message }));
  const badRow = Number(/row #(\d+)/.exec(verify.problem)?.[1] ?? Infinity);
  if (!verify.ok && badRow > rowIdBefore) violations.verify.push(verify.problem);
  const log = readFrom(join(driver.dataDir, 'logs', 'warden.log'), cursor.wardenLog);
  cursor.wardenLog = log.offset;
  for (const text of log.bytes.toString('utf8').split('\n')) if (/uncaught/i.test(text)) violations.uncaught.push(`warden.log: ${show(text)}`);
  return { violations, stats: { lines: sent.length, received: received.length, rows: rows.length, replies: shim.lines.length } };
}

/** The id key of a reply line, or undefined for other lines. */
function replyKey(text) {
  try {
    const message = JSON.parse(text);
    if (message?.method !== undefined || message?.id === null || message?.id === undefined) return undefined;
    return idKey(message.id);
  } catch {
    return undefined;
  }
}
