import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_BATCHES, batchArb, type Batch } from './jsonrpc-arbitraries.mjs';
import { freshCursor, runBatch, type Category, type RunResult } from './fuzz-runner.mjs';
import { harnessDriver } from './fuzz-driver.js';
import { WardenHarness } from '../helpers/warden-harness.js';

// The guarantees of DESIGN.md that hold "whatever bytes the client sent" (1, 2, 3, 5), stated as
// properties over random and mutated JSON-RPC batches sent through the real shim into a real
// core with a deny rule and an ask rule, in front of two recording upstreams (an SDK server and
// a plain one that runs whatever it is sent).
//
// Each batch runs once: its measurements are cached by the batch's value, and each guarantee
// is its own property over the same seeded batches, so a failure of one guarantee shrinks to
// its own counterexample. Shrinking replays batches against the live core; it is capped in
// time, so a counterexample may be only partly shrunk.
const SEED = 20_261_010;
const NUM_RUNS = 6;
const MAX_SPECS = 14;
const SHRINK_MS = 4_000;
/** The findings first, whatever the seed. */
const examples = FINDING_BATCHES.map((batch) => [batch] as [Batch]);

describe('Warden under random and hostile JSON-RPC through the real shim', () => {
  const warden = new WardenHarness();
  let driver: Awaited<ReturnType<typeof harnessDriver>>;
  const cursor = freshCursor();
  const results = new Map<string, Promise<RunResult>>();
  let run = 0;
  let chain: Promise<unknown> = Promise.resolve();

  /** One run per distinct batch, one at a time (runs share the cursor into logs and files). */
  const measure = (batch: Batch): Promise<RunResult> => {
    const key = JSON.stringify(batch);
    let result = results.get(key);
    if (result === undefined) {
      result = chain.then(async () => {
        await driver.ensureCore();
        return runBatch(driver, batch, ++run, cursor);
      });
      chain = result.catch(() => undefined);
      results.set(key, result);
    }
    return result;
  };

  const holds = (category: Category) => async () => {
    await fc.assert(
      fc.asyncProperty(batchArb(MAX_SPECS), async (batch) => {
        const violations = (await measure(batch)).violations[category];
        if (violations.length > 0) throw new Error(violations.join('\n'));
      }),
      { seed: SEED, numRuns: NUM_RUNS + examples.length, examples, interruptAfterTimeLimit: SHRINK_MS, markInterruptAsFailure: false },
    );
  };

  beforeAll(async () => {
    driver = await harnessDriver(warden);
    // Every batch of the seed once, before the properties (which then only shrink).
    await fc.check(fc.asyncProperty(batchArb(MAX_SPECS), async (batch) => void (await measure(batch))), {
      seed: SEED,
      numRuns: NUM_RUNS + examples.length,
      examples,
    });
    expect(results.size).toBe(NUM_RUNS + examples.length);
  }, 120_000);

  afterAll(async () => {
    driver?.close();
    await warden.stop();
  });

  it('keeps the core alive and serving a normal call after any batch (guarantee 5)', holds('alive'), 60_000);
  it('never lets a call reach an upstream without a committed row that allowed it (guarantee 1)', holds('rows'), 60_000);
  it('never forwards what it must refuse (guarantee 2)', holds('refused'), 60_000);
  it('answers every request exactly once and nothing else (guarantees 2 and 5)', holds('replies'), 60_000);
  it('keeps the audit log verifiable: warden log verify exits 0 (guarantee 3)', holds('verify'), 60_000);
  it('logs no uncaught exception in warden.log (guarantee 5)', holds('uncaught'), 60_000);
  it('leaves no approval listed once its call has ended (guarantee 4)', holds('approvals'), 60_000);
});
