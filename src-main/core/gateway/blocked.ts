import type { TargetKind } from '../../../src-shared/policy-types.js';
import type { ReasonMeta } from '../policy/policy.js';
import { ErrorCode, type JsonRpcId } from '../jsonrpc/json-rpc.js';

/** The `_meta` key under which Warden puts the structured reason of a refusal. */
export const META_KEY = 'mcp-warden/decision';

/**
 * The answer to a call Warden refused: for a tool, a result with `isError: true` and one
 * sentence the model can act on; for a resource or prompt (which have no error result), a
 * JSON-RPC error with the same sentence. The structured reason rides in `_meta` / `data`.
 */
export function blockedLine(id: JsonRpcId, kind: TargetKind, reason: string, meta: ReasonMeta): string {
  const text = `Blocked by MCP Warden: ${reason}`;
  const structured = { ...meta, reason };
  if (kind === 'tool') {
    return JSON.stringify({
      jsonrpc: '2.0',
      id,
      result: { content: [{ type: 'text', text }], isError: true, _meta: { [META_KEY]: structured } },
    }) + '\n';
  }
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code: ErrorCode.Blocked, message: text, data: { [META_KEY]: structured } } }) + '\n';
}

/**
 * A tool result with `isError: true` for a call Warden answered itself without refusing it on
 * policy grounds (the tool does not exist): the sentence the model reads, and the reason in
 * `_meta`.
 */
export function toolErrorLine(id: JsonRpcId, text: string, meta: Record<string, unknown>): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    result: { content: [{ type: 'text', text }], isError: true, _meta: { [META_KEY]: { ...meta, reason: text } } },
  }) + '\n';
}
