import { describe, expect, it } from 'vitest';
import { readyLine } from '../../../../src-main/cli/commands/core.js';

describe('readyLine()', () => {
  it('names the data dir and the socket, and the window URL only under --web', () => {
    expect(readyLine({ dataDir: '/d', socket: '/d/warden.sock', webUrl: undefined })).toBe('Warden core running: data dir /d; socket /d/warden.sock');
    expect(readyLine({ dataDir: '/d', socket: '/d/warden.sock', webUrl: 'http://127.0.0.1:5/?token=t' })).toBe(
      'Warden core running: data dir /d; socket /d/warden.sock; MCP Warden window: http://127.0.0.1:5/?token=t',
    );
  });
});
