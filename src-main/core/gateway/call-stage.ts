import type { TargetKind } from '../../../src-shared/policy-types.js';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc/json-rpc.js';
import type { Verdict } from '../policy/policy.js';
import type { Pending } from './session-audit.js';
import type { Wire } from './upstream-supervisor.js';

/** An audited client request (tools/call, resources/read, prompts/get) on its way through a session. */
export interface Call {
  readonly message: JsonRpcMessage;
  readonly id: JsonRpcId;
  /** The bytes that go upstream if the call goes ahead. */
  readonly wire: Wire;
  readonly entry: Pending;
  readonly kind: TargetKind;
  /** The tool or prompt name, or the resource URI; empty when the request names none. */
  readonly target: string;
  /** The decision so far; the judge stage sets it, later stages may only narrow it. */
  verdict: Verdict;
}

/** Passes a call on to the stage after this one. */
export type Next = (call: Call) => void;

/**
 * One step of the call pipeline. A stage either passes the call on (`next`, at once or later,
 * e.g. once the user answered) or settles it itself (a refusal); it never does both.
 */
export interface CallStage {
  /** For the core's log when a stage fails. */
  readonly name: string;
  handle(call: Call, next: Next): void;
}

/**
 * Chains `stages` in order into one function. The chain is built once per session: a call
 * walks a fixed, short list of closures, never a structure taken from outside data.
 */
export function pipeline(stages: readonly CallStage[]): Next {
  let next: Next = () => undefined;
  for (let index = stages.length - 1; index >= 0; index--) {
    const stage = stages[index] as CallStage;
    const after = next;
    next = (call) => stage.handle(call, after);
  }
  return next;
}
