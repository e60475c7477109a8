import { describe, expect, it } from 'vitest';
import type { ListEntry } from '../../../../src-main/core/gateway/aggregate-lists.js';
import { CALL_TOOL, FIND_TOOL, SearchMode } from '../../../../src-main/core/gateway/discovery-tools.js';

const entry = (server: string, name: string, description: string): ListEntry => ({
  server,
  name,
  exposed: `${server}__${name}`,
  item: { name, description, inputSchema: { type: 'object', properties: { path: { type: 'string' } } } },
});
const ENTRIES = [entry('files', 'read_file', 'Read a file from disk'), entry('files', 'write_file', 'Write a file to disk'), entry('web', 'fetch', 'Fetch a URL')];
const found = (result: Record<string, unknown>): Array<{ name: string; server: string; inputSchema: unknown }> =>
  (JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as { tools: Array<{ name: string; server: string; inputSchema: unknown }> }).tools;

describe('SearchMode', () => {
  describe('list()', () => {
    it('shows only the find and call tools before anything was found', () => {
      expect(new SearchMode().list(ENTRIES).map((tool) => tool.name)).toEqual([FIND_TOOL, CALL_TOOL]);
    });
  });

  describe('find()', () => {
    it('returns the matches with their exposed names, servers and input schemas, and adds them to the list once', () => {
      const mode = new SearchMode();
      const first = mode.find({ query: 'read file', limit: 1 }, ENTRIES);
      expect(first.added).toBe(true);
      expect(found(first.result)).toEqual([{ name: 'files__read_file', server: 'files', description: 'Read a file from disk', inputSchema: ENTRIES[0]!.item.inputSchema }]);
      expect(mode.list(ENTRIES).map((tool) => tool.name)).toEqual([FIND_TOOL, CALL_TOOL, 'files__read_file']);
      expect(mode.find({ query: 'read file', limit: 1 }, ENTRIES).added).toBe(false);
    });

    it('drops a found tool from the list once its server no longer lists it', () => {
      const mode = new SearchMode();
      mode.find({ query: 'fetch url' }, ENTRIES);
      expect(mode.list(ENTRIES.slice(0, 2)).map((tool) => tool.name)).toEqual([FIND_TOOL, CALL_TOOL]);
    });

    it('refuses a missing, empty or oversized query with one sentence, and finds nothing for no match', () => {
      const mode = new SearchMode();
      expect(mode.find({}, ENTRIES).result).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/^warden_find_tools was not run: query: /) }] });
      expect(mode.find({ query: 'x'.repeat(501) }, ENTRIES).result).toMatchObject({ isError: true });
      expect(mode.find({ query: 'find', limit: 99 }, ENTRIES).result).toMatchObject({ isError: true, content: [{ text: expect.stringMatching(/at most 20 matches/) }] });
      expect(mode.find({ query: 'quantum entanglement' }, ENTRIES)).toEqual({ result: { content: [{ type: 'text', text: 'No tool of the 3 this session can reach matches "quantum entanglement"; try other words.' }] }, added: false });
    });
  });

  describe('unwrapCall()', () => {
    it('turns a call-tool request into the real tools/call params, keeping _meta', () => {
      expect(new SearchMode().unwrapCall({ name: CALL_TOOL, arguments: { name: 'files__read_file', arguments: { path: '/a' } }, _meta: { progressToken: 7 } })).toEqual({
        params: { name: 'files__read_file', arguments: { path: '/a' }, _meta: { progressToken: 7 } },
      });
    });

    it('refuses calling the discovery tools through itself, and arguments that are not an object', () => {
      expect(new SearchMode().unwrapCall({ arguments: { name: FIND_TOOL } })).toEqual({ refusal: `${CALL_TOOL} calls tools of servers; call ${FIND_TOOL} directly` });
      expect(new SearchMode().unwrapCall({ arguments: { name: 'files__read_file', arguments: [1] } })).toMatchObject({ refusal: expect.stringMatching(/^warden_call_tool was not run: arguments: /) });
    });
  });
});
