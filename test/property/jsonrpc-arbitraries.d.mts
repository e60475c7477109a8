import type { Arbitrary } from 'fast-check';
import type { LineHint } from './jsonrpc-oracle.mjs';

/** One generated message shape: plain data, see jsonrpc-arbitraries.mjs. */
export type Spec = { shape: string } & Record<string, unknown>;
export interface Batch {
  server: 'rec' | 'plain';
  specs: Spec[];
}
export interface Line {
  bytes: Buffer;
  hint: LineHint;
}
export interface Write {
  delayMs: number;
  lines: Line[];
}

export const specArb: Arbitrary<Spec>;
/** A batch of at most `maxSpecs` specs for one server. */
export function batchArb(maxSpecs?: number, minSpecs?: number): Arbitrary<Batch>;
/** Fresh ids and markers for one run. */
export class RenderContext {
  constructor(run: number);
  marker(): string;
  id(kind: 'int' | 'string'): string;
}
export function renderBatch(batch: Batch, ctx: RenderContext): Write[];
export function writeBytes(write: Write): Buffer;
/** Every gateway finding of issue 10, as batches run before the random ones. */
export const FINDING_BATCHES: Batch[];
