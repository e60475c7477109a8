import { describe, expect, it } from 'vitest';
import { ConnectMemory, memoryStore } from '../../../../src-main/core/integrations/connect-memory.js';

describe('ConnectMemory', () => {
  it('remembers each config’s style apart', () => {
    const memory = new ConnectMemory(memoryStore());
    memory.setStyle('cursor', '/a/mcp.json', { transport: 'http', aggregate: { entry: 'warden' } });
    memory.setStyle('cursor', '/b/mcp.json', { transport: 'stdio' });
    expect(memory.style('cursor', '/a/mcp.json')).toEqual({ transport: 'http', aggregate: { entry: 'warden' } });
    expect(memory.style('cursor', '/b/mcp.json')).toEqual({ transport: 'stdio' });
    memory.setStyle('cursor', '/a/mcp.json', undefined);
    expect(memory.style('cursor', '/a/mcp.json')).toBeUndefined();
  });

  it('reads a damaged or foreign stored value as nothing', () => {
    const store = memoryStore();
    const memory = new ConnectMemory(store);
    store.set('integrations.style:["claude","/x"]', '{not json');
    store.set('integrations.createdKeys', JSON.stringify([{ name: 5 }, 'x', { name: 'ok', app: 'claude', sealed: 'AA==' }]));
    expect(memory.style('claude', '/x')).toBeUndefined();
    expect(memory.createdKeys()).toEqual([{ name: 'ok', app: 'claude', sealed: 'AA==' }]);
    store.set('integrations.style:["claude","/x"]', JSON.stringify({ transport: 'carrier-pigeon' }));
    expect(memory.style('claude', '/x')).toBeUndefined();
  });

  it('forgets a created key once revoked', () => {
    const memory = new ConnectMemory(memoryStore());
    memory.addCreatedKey({ name: 'cursor', app: 'cursor', sealed: 'AA==' });
    memory.addCreatedKey({ name: 'vscode', app: 'vscode', sealed: 'AA==' });
    memory.forgetCreatedKey('cursor');
    expect(memory.createdKeys().map((k) => k.name)).toEqual(['vscode']);
  });
});
