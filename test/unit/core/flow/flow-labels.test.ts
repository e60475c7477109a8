import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src-main/core/db/database.js';
import { LabelStore } from '../../../../src-main/core/db/label-store.js';
import { PinStore } from '../../../../src-main/core/db/pin-store.js';
import { FlowLabels } from '../../../../src-main/core/flow/flow-labels.js';
import { EXTERNAL, hintLabels, labelsOf, PRIVATE, UNTRUSTED } from '../../../../src-main/core/flow/label-hints.js';
import { ToolPins } from '../../../../src-main/core/policy/tool-pins.js';

function setup() {
  const db = openDatabase(':memory:');
  const pins = new ToolPins(new PinStore(db), () => 1);
  pins.observe('web', { name: 'fetch', annotations: { readOnlyHint: true, openWorldHint: true } });
  pins.observe('files', { name: 'read_file', annotations: { readOnlyHint: true, openWorldHint: false } });
  pins.observe('files', { name: 'write_file', annotations: { readOnlyHint: false, openWorldHint: false } });
  pins.observe('files', { name: 'plain' });
  const store = new LabelStore(db);
  return { db, pins, store, labels: new FlowLabels(store, pins, () => 5) };
}

describe('hintLabels()', () => {
  it('labels an open-world tool untrusted and external, and a read-only closed-world tool private', () => {
    expect(labelsOf(hintLabels({ openWorldHint: true }).bits)).toEqual(['untrusted', 'external']);
    expect(labelsOf(hintLabels({ openWorldHint: true, readOnlyHint: true }).bits)).toEqual(['untrusted', 'external']);
    expect(labelsOf(hintLabels({ openWorldHint: false, readOnlyHint: true }).bits)).toEqual(['private']);
  });

  it('gives no label without an explicit hint, and none for hints of the wrong type or shape', () => {
    for (const annotations of [undefined, null, {}, { readOnlyHint: true }, { openWorldHint: false }, { openWorldHint: 'true' }, [true], 'openWorldHint']) {
      expect(hintLabels(annotations).bits).toBe(0);
    }
  });
});

describe('FlowLabels', () => {
  describe('bitsFor()', () => {
    it('takes labels from the pinned definition\'s hints, and none for a tool with no hints or never listed', () => {
      const { labels } = setup();
      expect(labels.bitsFor('web', 'fetch')).toBe(UNTRUSTED | EXTERNAL);
      expect(labels.bitsFor('files', 'read_file')).toBe(PRIVATE);
      expect(labels.bitsFor('files', 'write_file')).toBe(0);
      expect(labels.bitsFor('files', 'plain')).toBe(0);
      expect(labels.bitsFor('files', 'never_listed')).toBe(0);
    });

    it('lets the user\'s tool label win over the server\'s, and the server\'s over a hint, label by label', () => {
      const { labels } = setup();
      labels.mark('web', undefined, ['private'], true);
      expect(labels.bitsFor('web', 'fetch')).toBe(PRIVATE | UNTRUSTED | EXTERNAL);
      labels.mark('web', 'fetch', ['external'], false);
      expect(labels.bitsFor('web', 'fetch')).toBe(PRIVATE | UNTRUSTED);
      labels.mark('web', undefined, ['untrusted'], false);
      expect(labels.bitsFor('web', 'fetch')).toBe(PRIVATE);
      labels.mark('web', 'fetch', ['untrusted'], true);
      expect(labels.bitsFor('web', 'fetch')).toBe(PRIVATE | UNTRUSTED);
      // A server label reaches a tool never listed too.
      expect(labels.bitsFor('web', 'anything')).toBe(PRIVATE);
    });

    it('reads the hints again once a changed definition is approved', () => {
      const { labels, pins } = setup();
      expect(labels.bitsFor('files', 'plain')).toBe(0);
      pins.observe('files', { name: 'plain', annotations: { openWorldHint: true } });
      pins.approve('files', 'plain');
      expect(labels.bitsFor('files', 'plain')).toBe(UNTRUSTED | EXTERNAL);
    });

    it('keeps the user\'s labels across a restart (they are stored)', () => {
      const { db, pins, labels } = setup();
      labels.mark('files', 'write_file', ['external'], true);
      expect(new FlowLabels(new LabelStore(db), pins, () => 6).bitsFor('files', 'write_file')).toBe(EXTERNAL);
    });
  });

  describe('clear()', () => {
    it('forgets what the user said, so the hints count again', () => {
      const { labels } = setup();
      labels.mark('web', 'fetch', ['untrusted', 'external'], false);
      expect(labels.bitsFor('web', 'fetch')).toBe(0);
      expect(labels.clear('web', 'fetch')).toBe(2);
      expect(labels.bitsFor('web', 'fetch')).toBe(UNTRUSTED | EXTERNAL);
    });
  });

  describe('list()', () => {
    it('says where each label came from, and lists server entries and user-labelled tools never listed', () => {
      const { labels } = setup();
      labels.mark('files', undefined, ['private'], true);
      labels.mark('web', 'fetch', ['external'], false);
      labels.mark('web', 'post', ['external'], true);
      const entries = labels.list();
      expect(entries.find((entry) => entry.server === 'files' && entry.tool === null)).toEqual({ server: 'files', tool: null, labels: [{ label: 'private', source: 'user-server' }], removed: [] });
      expect(entries.find((entry) => entry.tool === 'fetch')).toEqual({
        server: 'web',
        tool: 'fetch',
        labels: [{ label: 'untrusted', source: 'hint', hint: 'openWorldHint' }],
        removed: ['external'],
      });
      expect(entries.find((entry) => entry.tool === 'post')?.labels).toEqual([{ label: 'external', source: 'user-tool' }]);
      expect(entries.find((entry) => entry.tool === 'write_file')?.labels).toEqual([{ label: 'private', source: 'user-server' }]);
      expect(labels.list('web').every((entry) => entry.server === 'web')).toBe(true);
    });
  });
});
