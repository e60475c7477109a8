import { describe, expect, it } from 'vitest';
import type { Action, Rule } from '../../../../src-shared/policy-types.js';
import { RuleResolver } from '../../../../src-main/core/policy/rule-resolver.js';

let nextId = 1;
const rule = (client: string, server: string, target: string, action: Action, kind: Rule['kind'] = 'tool'): Rule => ({
  id: nextId++,
  client,
  server,
  kind,
  target,
  action,
  createdAt: 0,
});

describe('RuleResolver', () => {
  describe('decide()', () => {
    const cases: Array<{ name: string; rules: Rule[]; call: [string, string, string]; expected: Action; by: number | 'default' }> = (() => {
      nextId = 1;
      const denyExact = rule('*', 'github', 'delete_repo', 'deny');
      const allowClientAll = rule('claude', 'github', '*', 'allow');
      const allowGet = rule('*', 'github', 'get_*', 'allow');
      const askAll = rule('*', 'github', '*', 'ask');
      const askServer = rule('*', 'github', 'list_*', 'ask');
      const allowAnyServer = rule('*', '*', 'list_*', 'allow');
      const tieAllow = rule('*', 'mail', 'send_*', 'allow');
      const tieDeny = rule('*', 'mail', 'send_*', 'deny');
      const tieAsk = rule('*', 'mail', 'send_*', 'ask');
      const namedClient = rule('cursor', 'mail', 'read_*', 'deny');
      const anyClient = rule('*', 'mail', 'read_*', 'allow');
      return [
        { name: 'an exact tool beats a named client with a glob', rules: [denyExact, allowClientAll], call: ['claude', 'github', 'delete_repo'], expected: 'deny', by: denyExact.id },
        { name: 'the named client rule applies to other tools', rules: [denyExact, allowClientAll], call: ['claude', 'github', 'create_issue'], expected: 'allow', by: allowClientAll.id },
        { name: 'more literal text beats * for the same client and server', rules: [askAll, allowGet], call: ['x', 'github', 'get_issue'], expected: 'allow', by: allowGet.id },
        { name: 'a named server beats * at equal target and client', rules: [allowAnyServer, askServer], call: ['x', 'github', 'list_repos'], expected: 'ask', by: askServer.id },
        { name: 'deny beats ask beats allow at equal specificity', rules: [tieAllow, tieAsk, tieDeny], call: ['x', 'mail', 'send_mail'], expected: 'deny', by: tieDeny.id },
        { name: 'ask beats allow at equal specificity', rules: [tieAllow, tieAsk], call: ['x', 'mail', 'send_mail'], expected: 'ask', by: tieAsk.id },
        { name: 'a named client beats * at equal target', rules: [anyClient, namedClient], call: ['cursor', 'mail', 'read_inbox'], expected: 'deny', by: namedClient.id },
        { name: 'other clients keep the * rule', rules: [anyClient, namedClient], call: ['claude', 'mail', 'read_inbox'], expected: 'allow', by: anyClient.id },
        { name: 'no matching rule falls to the server default', rules: [denyExact], call: ['x', 'files', 'read_file'], expected: 'ask', by: 'default' },
      ];
    })();

    it.each(cases)('$name', ({ rules, call, expected, by }) => {
      const resolver = new RuleResolver(rules);
      const decided = resolver.decide({ client: call[0], server: call[1], kind: 'tool', target: call[2] }, 'ask');
      expect(decided.action).toBe(expected);
      expect(decided.reason.type === 'rule' ? decided.reason.rule.id : 'default').toBe(by);
    });
  });

  it('keeps tool, resource and prompt rules apart', () => {
    const resolver = new RuleResolver([rule('*', 'docs', 'secret*', 'deny', 'resource'), rule('*', 'docs', '*', 'allow', 'tool')]);
    expect(resolver.decide({ client: 'c', server: 'docs', kind: 'resource', target: 'secret://keys' }, 'ask').action).toBe('deny');
    expect(resolver.decide({ client: 'c', server: 'docs', kind: 'tool', target: 'secret_tool' }, 'ask').action).toBe('allow');
    expect(resolver.decide({ client: 'c', server: 'docs', kind: 'prompt', target: 'any' }, 'ask').action).toBe('ask');
  });

  it('forgets cached decisions when the rules change', () => {
    const resolver = new RuleResolver([rule('*', 's', 't', 'allow')]);
    const query = { client: 'c', server: 's', kind: 'tool' as const, target: 't' };
    expect(resolver.decide(query, 'ask').action).toBe('allow');
    resolver.setRules([rule('*', 's', 't', 'deny')]);
    expect(resolver.decide(query, 'ask').action).toBe('deny');
  });
});
