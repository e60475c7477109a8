// fast-check generators of hostile JSON-RPC input, shared by the property suite (vitest) and
// the fuzz and soak scripts. A generated value is a plain *spec* (data only, so it shrinks and
// prints well); `renderBatch` turns it into the bytes to write, with fresh ids and markers, and
// the per-line hints the oracle needs (jsonrpc-oracle.mjs).
import fc from 'fast-check';

const TOOLS = ['echo', 'secret-tool', 'ask-tool', 'slow', 'missing-tool'];
const ANSWERS = ['allow', 'deny', 'cli-allow', 'cli-deny', 'allow', 'deny', 'timeout'];
const BAD_IDS = ['{"n":1}', '[1]', '1.5', '123456789012345678901', '1e400', '-0', 'true', 'null', '"\\ud800x"', '"a\\udfff"'];
const idKind = fc.constantFrom('int', 'string');
const tool = fc.constantFrom('echo', 'secret-tool', 'ask-tool');
const glue = fc.boolean();

/** One generated message shape (see renderBatch for what each becomes). */
export const specArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ shape: fc.constant('call'), tool: fc.constantFrom(...TOOLS), idKind, answer: fc.constantFrom(...ANSWERS), ms: fc.integer({ min: 0, max: 300 }), crlf: fc.boolean(), text: fc.string({ maxLength: 24, unit: 'grapheme' }), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constantFrom('resource', 'prompt'), idKind, glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('method'), method: fc.constantFrom('ping', 'tools/list', 'resources/list', 'prompts/list', 'fuzz/unknown', 'completion/complete'), idKind, glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('notification'), method: fc.constantFrom('tools/call', 'resources/read', 'prompts/get', 'notifications/fuzz', 'fuzz/unknown'), tool, glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('null-id'), withError: fc.boolean(), tool, glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('with-result'), member: fc.constantFrom('result', 'error'), tool, idKind, glue }) },
  { weight: 3, arbitrary: fc.record({ shape: fc.constant('bad-id'), id: fc.constantFrom(...BAD_IDS), tool, glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('duplicate'), key: fc.constantFrom('name', 'n\\u0061me', 'id', 'method', 'jsonrpc'), denyLast: fc.boolean(), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('deep'), depth: fc.constantFrom(100, 200, 1000, 6000, 30000), open: fc.constantFrom('[', '{"a":'), closed: fc.boolean(), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('surrogate'), where: fc.constantFrom('name', 'argument', 'key', 'method'), code: fc.constantFrom('\\ud800', '\\udfff', '\\udbff'), glue }) },
  { weight: 1, arbitrary: fc.record({ shape: fc.constant('huge'), big: fc.boolean(), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('garbage'), bytes: fc.uint8Array({ minLength: 1, maxLength: 48 }), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('invalid-utf8'), bytes: fc.constantFrom([0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80]), glue }) },
  { weight: 1, arbitrary: fc.record({ shape: fc.constant('blank'), text: fc.constantFrom('', '   ', '\r'), glue }) },
  { weight: 1, arbitrary: fc.record({ shape: fc.constant('response'), member: fc.constantFrom('result', 'error'), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('non-object'), text: fc.constantFrom('[]', '42', '"x"', 'null', 'BATCH'), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('malformed'), what: fc.constantFrom('version-1.0', 'no-version', 'method-number', 'params-array', 'params-string', 'params-null'), glue }) },
  { weight: 3, arbitrary: fc.record({ shape: fc.constant('mutated'), op: fc.constantFrom('delete', 'insert', 'replace', 'truncate'), pos: fc.nat(), ch: fc.constantFrom('"', '{', '}', ',', ':', '\\', ' ', '0', '\u00e9', '\u0000'), glue }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('cancel'), target: fc.constantFrom('slow', 'ask'), idKind }) },
  { weight: 1, arbitrary: fc.record({ shape: fc.constant('reuse'), idKind }) },
  { weight: 2, arbitrary: fc.record({ shape: fc.constant('sandwich'), bomb: fc.constantFrom('deep', 'duplicate', 'surrogate', 'notification', 'bad-id') }) },
);

/**
 * Every finding of issue 10 that concerns the gateway, as batches run before the random ones
 * (fast-check `examples`), so each is among the generated cases whatever the seed.
 */
export const FINDING_BATCHES = [
  // G1: a bomb in a read with an earlier ask and calls around it; G2: id-less and null-id calls
  // of the denied tool to an upstream that runs anything.
  { server: 'plain', specs: [
    { shape: 'sandwich', bomb: 'deep' },
    { shape: 'notification', method: 'tools/call', tool: 'secret-tool', glue: false },
    { shape: 'null-id', withError: true, tool: 'secret-tool', glue: false },
    { shape: 'with-result', member: 'error', tool: 'secret-tool', idKind: 'int', glue: true },
  ] },
  // G2: ids that are not strings or safe integers; G3: a lone surrogate in a tool name; G4: a
  // cancelled ask and a reused pending id; duplicate keys in their escaped spelling.
  { server: 'rec', specs: [
    { shape: 'bad-id', id: '123456789012345678901', tool: 'echo', glue: false },
    { shape: 'bad-id', id: '1e400', tool: 'echo', glue: true },
    { shape: 'surrogate', where: 'name', code: '\\ud800', glue: false },
    { shape: 'duplicate', key: 'n\\u0061me', denyLast: true, glue: false },
    { shape: 'cancel', target: 'ask', idKind: 'int' },
    { shape: 'reuse', idKind: 'string' },
  ] },
];

/** A batch: the server it goes to, and the specs sent through one shim session. */
export const batchArb = (maxSpecs = 12, minSpecs = 1) =>
  fc.record({ server: fc.constantFrom('rec', 'plain'), specs: fc.array(specArb, { minLength: minSpecs, maxLength: maxSpecs }) });

/** Fresh ids and markers for one run: unique across runs of one process. */
export class RenderContext {
  constructor(run) {
    this.run = run;
    this.n = 0;
  }

  marker() {
    return `mk${this.run}n${++this.n}z`;
  }

  /** A fresh valid id as JSON text (never 0, so -0 stays unambiguous). */
  id(kind) {
    const n = this.run * 10_000 + ++this.n;
    return kind === 'string' ? JSON.stringify(`r${n}`) : String(n);
  }
}

/** What a sandwich puts between two good calls in one write. */
const BOMBS = {
  deep: { shape: 'deep', depth: 6000, open: '[', closed: true },
  duplicate: { shape: 'duplicate', key: 'n\\u0061me', denyLast: true },
  surrogate: { shape: 'surrogate', where: 'name', code: '\\ud800' },
  notification: { shape: 'notification', method: 'tools/call', tool: 'secret-tool' },
  'bad-id': { shape: 'bad-id', id: '1e400', tool: 'secret-tool' },
};

const line = (text, hint = {}) => ({ bytes: Buffer.from(text), hint });
const str = JSON.stringify;

/** The text of a tools/call with the marker first in its arguments (row summaries keep it). */
function callText(id, name, args, extra = '') {
  const idPart = id === undefined ? '' : `"id":${id},`;
  return `{"jsonrpc":"2.0",${idPart}"method":"tools/call"${extra},"params":{"name":${name},"arguments":${args}}}`;
}

const args = (marker, rest = {}) => str({ marker, text: 'fuzz', ...rest });
const argsFor = (toolName, marker, spec = {}) => (toolName === 'slow' ? str({ marker, ms: spec.ms ?? 0 }) : args(marker, spec.text === undefined ? {} : { text: spec.text }));

/** Lines of one spec; `writes` with a delay are sent later, on their own. */
function renderSpec(spec, ctx) {
  const m = ctx.marker();
  switch (spec.shape) {
    case 'call': {
      const text = callText(ctx.id(spec.idKind), str(spec.tool), argsFor(spec.tool, m, spec)) + (spec.crlf ? '\r' : '');
      return [[line(text, { answer: spec.answer })]];
    }
    case 'resource':
      return [[line(`{"jsonrpc":"2.0","id":${ctx.id(spec.idKind)},"method":"resources/read","params":{"uri":"rec://item/${m}"}}`)]];
    case 'prompt':
      return [[line(`{"jsonrpc":"2.0","id":${ctx.id(spec.idKind)},"method":"prompts/get","params":{"name":"rec-prompt","arguments":{"marker":"${m}"}}}`)]];
    case 'method':
      return [[line(`{"jsonrpc":"2.0","id":${ctx.id(spec.idKind)},"method":${str(spec.method)},"params":{"marker":"${m}"}}`)]];
    case 'notification':
      if (spec.method === 'tools/call') return [[line(callText(undefined, str(spec.tool), args(m)))]];
      return [[line(`{"jsonrpc":"2.0","method":${str(spec.method)},"params":{"uri":"rec://item/${m}","name":"rec-prompt","arguments":{"marker":"${m}"}}}`)]];
    case 'null-id':
      return [[line(callText('null', str(spec.tool), args(m), spec.withError ? ',"error":{"code":-1,"message":"x"}' : ''))]];
    case 'with-result':
      return [[line(callText(ctx.id(spec.idKind), str(spec.tool), args(m), spec.member === 'result' ? ',"result":{}' : ',"error":{"code":-1,"message":"x"}'))]];
    case 'bad-id':
      return [[line(callText(spec.id, str(spec.tool), args(m)))]];
    case 'duplicate': {
      const id = ctx.id('int');
      const [first, last] = spec.denyLast ? ['"echo"', '"secret-tool"'] : ['"secret-tool"', '"echo"'];
      const a = args(m);
      if (spec.key === 'name' || spec.key === 'n\\u0061me') return [[line(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":${first},"${spec.key}":${last},"arguments":${a}}}`)]];
      const dup = spec.key === 'id' ? `"id":${ctx.id('int')}` : spec.key === 'method' ? '"method":"ping"' : '"jsonrpc":"2.0"';
      return [[line(`{"jsonrpc":"2.0","id":${id},"method":"tools/call",${dup},"params":{"name":${last},"arguments":${a}}}`)]];
    }
    case 'deep': {
      const close = spec.open === '[' ? ']' : '}';
      const nest = spec.open.repeat(spec.depth) + (spec.closed ? '0' + close.repeat(spec.depth) : '');
      return [[line(`{"jsonrpc":"2.0","id":${ctx.id('int')},"method":"tools/call","params":{"name":"echo","arguments":{"marker":"${m}","text":"deep","deep":${nest}}}}`)]];
    }
    case 'surrogate': {
      const id = ctx.id('int');
      if (spec.where === 'name') return [[line(callText(id, `"echo${spec.code}"`, args(m)))]];
      if (spec.where === 'argument') return [[line(callText(id, '"echo"', `{"marker":"${m}","text":"x${spec.code}y"}`))]];
      if (spec.where === 'key') return [[line(callText(id, '"echo"', `{"marker":"${m}","text":"x","k${spec.code}":1}`))]];
      return [[line(`{"jsonrpc":"2.0","id":${id},"method":"tools/call${spec.code}","params":{"name":"echo","arguments":${args(m)}}}`)]];
    }
    case 'huge':
      return [[line(callText(ctx.id('int'), '"echo"', args(m, { text: 'h'.repeat(spec.big ? 5 * 1024 * 1024 : 200_000) })))]];
    case 'garbage':
      return [[{ bytes: Buffer.concat([Buffer.from('#'), Buffer.from(spec.bytes.map((b) => (b === 0x0a ? 0x20 : b)))]), hint: {} }]];
    case 'invalid-utf8': {
      const [head, tail] = callText(ctx.id('int'), '"echo"', args(m, { text: 'SPLIT' })).split('SPLIT');
      return [[{ bytes: Buffer.concat([Buffer.from(head), Buffer.from(spec.bytes), Buffer.from(tail)]), hint: {} }]];
    }
    case 'blank':
      return [[line(spec.text)]];
    case 'response':
      return [[line(`{"jsonrpc":"2.0","id":${ctx.id('string')},${spec.member === 'result' ? `"result":{"marker":"${m}"}` : `"error":{"code":-1,"message":"${m}"}`}}`)]];
    case 'non-object':
      return [[line(spec.text === 'BATCH' ? `[${callText(ctx.id('int'), '"secret-tool"', args(m))}]` : spec.text)]];
    case 'malformed': {
      const id = ctx.id('int');
      const a = args(m);
      const p = { 'params-array': `[${a}]`, 'params-string': '"x"', 'params-null': 'null' }[spec.what];
      if (p !== undefined) return [[line(`{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":${p}}`)]];
      if (spec.what === 'method-number') return [[line(`{"jsonrpc":"2.0","id":${id},"method":5,"params":{"name":"echo","arguments":${a}}}`)]];
      const version = spec.what === 'no-version' ? '' : '"jsonrpc":"1.0",';
      return [[line(`{${version}"id":${id},"method":"tools/call","params":{"name":"echo","arguments":${a}}}`)]];
    }
    case 'mutated': {
      const text = callText(ctx.id('int'), '"echo"', args(m));
      const region = text.indexOf('"arguments"');
      const at = spec.pos % region;
      const out = { delete: text.slice(0, at) + text.slice(at + 1), insert: text.slice(0, at) + spec.ch + text.slice(at), replace: text.slice(0, at) + spec.ch + text.slice(at + 1), truncate: text.slice(0, at) }[spec.op];
      return [[line(out)]];
    }
    case 'cancel': {
      const id = ctx.id(spec.idKind);
      const call = spec.target === 'slow' ? callText(id, '"slow"', str({ marker: m, ms: 3000 })) : callText(id, '"ask-tool"', args(m));
      const cancel = `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${id},"reason":"fuzz"}}`;
      return [[line(call, { cancelled: true, answer: 'leave' })], { delayMs: 150, lines: [line(cancel)] }];
    }
    case 'reuse': {
      const id = ctx.id(spec.idKind);
      const reuse = callText(id, '"echo"', args(ctx.marker()));
      return [[line(callText(id, '"ask-tool"', args(m)), { answer: 'allow' })], { delayMs: 100, lines: [line(reuse, { reused: true })] }];
    }
    case 'sandwich': {
      // An ask and a good call, then the bomb, then another good call, all in one write.
      const ask = callText(ctx.id('int'), '"ask-tool"', args(ctx.marker()));
      const before = callText(ctx.id('int'), '"echo"', args(ctx.marker()));
      const bomb = renderSpec(BOMBS[spec.bomb], ctx)[0];
      const after = callText(ctx.id('int'), '"echo"', args(ctx.marker()));
      return [[line(ask, { answer: 'allow' }), line(before), ...bomb, line(after)]];
    }
    default:
      throw new Error(`unknown spec shape ${spec.shape}`);
  }
}

/**
 * Turns a batch into writes: consecutive specs with `glue` share one write (so several
 * messages land in one socket read); cancellations and reused ids are sent `delayMs` after the
 * first write (not after each other), while their call is still pending.
 * Returns [{ delayMs, lines: [{ bytes, hint }] }]; each line's bytes exclude the "\n".
 */
export function renderBatch(batch, ctx) {
  const writes = [];
  const later = [];
  for (const spec of batch.specs) {
    const [now, ...rest] = renderSpec(spec, ctx);
    const previous = writes.at(-1);
    if (spec.glue && previous) previous.lines.push(...now);
    else writes.push({ delayMs: 0, lines: now });
    later.push(...rest);
  }
  return [...writes, ...later];
}

/** The bytes of one write: its lines, each ended by "\n". */
export function writeBytes(write) {
  return Buffer.concat(write.lines.flatMap((l) => [l.bytes, Buffer.from('\n')]));
}
