import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaText, tokenize, ToolIndex, type SearchDoc } from '../../../../src-main/core/gateway/tool-search.js';

const doc = (key: string, description = '', properties: Record<string, unknown> = {}): SearchDoc => ({
  key,
  names: [key],
  description,
  schema: { type: 'object', properties },
});

describe('tokenize()', () => {
  it('splits camelCase, snake_case, kebab-case and dotted names into the same words', () => {
    expect(tokenize('listFiles')).toEqual(['list', 'file']);
    expect(tokenize('list_files')).toEqual(['list', 'file']);
    expect(tokenize('github__list-files.v2')).toEqual(['github', 'list', 'file', 'v2']);
  });

  it('drops stop words and folds plurals', () => {
    expect(tokenize('Create the entities of a graph')).toEqual(['create', 'entity', 'graph']);
  });

  it('stops at the bound it is given', () => {
    expect(tokenize('a1 b2 c3 d4 e5', 3)).toEqual(['a1', 'b2', 'c3']);
  });
});

describe('schemaText()', () => {
  it('collects property names and descriptions of nested objects and arrays', () => {
    const schema = { type: 'object', properties: { path: { type: 'string', description: 'Where the file is' }, items: { type: 'array', items: { type: 'object', properties: { mode: {} } } } } };
    const found = schemaText(schema);
    expect(found.names.sort()).toEqual(['items', 'mode', 'path']);
    expect(found.texts).toEqual(['Where the file is']);
  });

  it('walks a schema nested thousands of levels deep without recursion, stopping at its depth bound', () => {
    let schema: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < 10_000; i++) schema = { type: 'object', properties: { [`p${i}`]: schema } };
    const found = schemaText(schema);
    expect(found.names.length).toBeLessThanOrEqual(8);
    expect(found.names[0]).toBe('p9999');
  });
});

describe('ToolIndex', () => {
  describe('search()', () => {
    it('ranks a tool whose name matches above one that only mentions the words', () => {
      const index = new ToolIndex([doc('mail__send_email', 'Sends a message'), doc('notes__write', 'Write a note; can email it later'), doc('files__read_file', 'Reads a file')]);
      expect(index.search('send email', 5).map((hit) => hit.key)).toEqual(['mail__send_email', 'notes__write']);
    });

    it('finds a tool by the names and descriptions of its input properties', () => {
      const index = new ToolIndex([doc('a__one', 'does one thing', { repository: { description: 'owner/name of a GitHub repo' } }), doc('b__two', 'does another thing')]);
      expect(index.search('github repository', 5).map((hit) => hit.key)).toEqual(['a__one']);
    });

    it('returns at most the limit, best first, and nothing for a query of stop words', () => {
      const index = new ToolIndex(Array.from({ length: 30 }, (_, i) => doc(`s__tool_${i}`, i % 2 === 0 ? 'reads data' : 'reads data twice data')));
      const hits = index.search('data', 4);
      expect(hits).toHaveLength(4);
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      expect(index.search('the of and', 4)).toEqual([]);
    });

    it('never throws and never returns more than the limit, whatever the tools and the query', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ key: fc.string({ maxLength: 40 }), description: fc.string({ maxLength: 200 }), schema: fc.jsonValue({ maxDepth: 4 }) }), { maxLength: 20 }),
          fc.string({ maxLength: 200 }),
          fc.integer({ min: 0, max: 25 }),
          (tools, query, limit) => {
            const index = new ToolIndex(tools.map((tool) => ({ ...tool, names: [tool.key] })));
            const hits = index.search(query, limit);
            expect(hits.length).toBeLessThanOrEqual(limit);
            for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
          },
        ),
        { seed: 11, numRuns: 200 },
      );
    });
  });
});
