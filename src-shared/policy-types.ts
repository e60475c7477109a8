/**
 * Policy vocabulary shared by the core, the CLI and the window.
 */

export const ACTIONS = ['allow', 'ask', 'deny'] as const;
export type Action = (typeof ACTIONS)[number];

/** What a rule's target pattern is matched against. */
export const TARGET_KINDS = ['tool', 'resource', 'prompt'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** At equal specificity the stricter action wins. */
export const ACTION_STRICTNESS: Readonly<Record<Action, number>> = { allow: 0, ask: 1, deny: 2 };

export interface Rule {
  id: number;
  client: string;
  server: string;
  kind: TargetKind;
  /** Tool name, resource URI or prompt name pattern. */
  target: string;
  action: Action;
  createdAt: number;
}

/** Why a call got its action: the rule, or the server's default when no rule matched. */
export type RuleReason = { type: 'rule'; rule: Rule } | { type: 'default'; server: string; action: Action };

/** Human form of a rule, as used in refusals: `rule 12 (github / delete_* = deny)`. */
export function describeRule(rule: Rule): string {
  const target = rule.kind === 'tool' ? rule.target : `${rule.kind}:${rule.target}`;
  const client = rule.client === '*' ? '' : `client ${rule.client}, `;
  return `rule ${rule.id} (${client}${rule.server} / ${target} = ${rule.action})`;
}
