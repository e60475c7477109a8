import type { FlowGroupInfo, FlowGuardMode } from '../../../src-shared/flow-api.js';
import type { Verdict } from '../policy/policy.js';
import { FlowGroup, type GroupIdentity } from './flow-group.js';
import { EXTERNAL, PRIVATE, UNTRUSTED, type LabelBits } from './label-hints.js';

/** The labels of a tool, as {@link FlowLabels} resolves them. */
export interface LabelSource {
  bitsFor(server: string, tool: string): LabelBits;
}

export interface FlowGuardSettings {
  mode(): FlowGuardMode;
  /** How long a group may be idle before it forgets its legs; 0 keeps them for its life. */
  idleMs(): number;
}

export interface FlowGuardOptions {
  labels: LabelSource;
  settings: FlowGuardSettings;
  now: () => number;
  redact(text: string): string;
}

const BOTH = PRIVATE | UNTRUSTED;
/** Most groups kept that no connection joined; past it the least recently active one goes. */
export const MAX_UNJOINED_GROUPS = 1000;
/** Legs of each kind a reason names before "and N more". */
const NAMED_LEGS = 3;

/**
 * The flow guard ("lethal trifecta"): a conversation group that has read private data and
 * untrusted content may not call a tool that can send data out without the user's say. Per call
 * the session asks {@link judge} (before forwarding) and tells {@link record} (when it forwards);
 * an "allow for session" answer to a flow ask {@link release}s the group.
 *
 * Groups are the session hub's: {@link join} when a connection opens, its disposer when it
 * closes; the last one out ends the group and its legs. A group never joined (a front door that
 * does not join) is made on first use, so its calls are still guarded; at most
 * {@link MAX_UNJOINED_GROUPS} such groups are kept, the least recently active going first.
 */
export class FlowGuard {
  private readonly groups = new Map<string, FlowGroup>();

  constructor(private readonly options: FlowGuardOptions) {}

  /** A connection of the group opened; the disposer is for when it closes (idempotent). */
  join(identity: GroupIdentity): () => void {
    const group = this.groupOf(identity.id, identity);
    group.connections++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      group.connections--;
      if (group.connections <= 0 && this.groups.get(identity.id) === group) this.groups.delete(identity.id);
    };
  }

  /**
   * The verdict for a tool call of `group`, given what policy decided. A deny stays a deny; a
   * call to an `external` tool after the group read private data and untrusted content becomes
   * an ask (or a deny, setting flowGuard), naming the legs, unless the guard is off or the group
   * was released. The meta keeps the policy's fields (secrets found, flags) beside the legs.
   */
  judge(groupId: string, server: string, tool: string, verdict: Verdict): Verdict {
    if (verdict.action === 'deny') return verdict;
    const mode = this.options.settings.mode();
    if (mode === 'off') return verdict;
    const group = this.groups.get(groupId);
    if (group === undefined) return verdict;
    group.touch(this.options.now(), this.options.settings.idleMs());
    if (group.released || (group.touched & BOTH) !== BOTH) return verdict;
    if ((this.options.labels.bitsFor(server, tool) & EXTERNAL) === 0) return verdict;
    const privateLegs = group.legsWith(PRIVATE);
    const untrustedLegs = group.legsWith(UNTRUSTED);
    const redact = this.options.redact;
    let reason = redact(
      `flow guard: this conversation read private data (${named(privateLegs)}) and untrusted content (${named(untrustedLegs)}); ${server} → ${tool} can send it out`,
    );
    if (mode === 'deny') reason += ' (setting flowGuard is deny)';
    else if (verdict.action === 'ask') reason += `; also: ${verdict.reason}`;
    const legs = (list: Array<{ server: string; tool: string }>): Array<{ server: string; tool: string }> =>
      list.map((leg) => ({ server: leg.server, tool: redact(leg.tool) }));
    return {
      action: mode,
      reason,
      // Policy charged the rate limit for the allow this replaces: the answer must not again.
      charged: verdict.charged === true || verdict.action === 'allow',
      meta: { ...verdict.meta, type: 'guard', guard: 'flow', flow: { group: groupId, private: legs(privateLegs), untrusted: legs(untrustedLegs) } },
    };
  }

  /**
   * A tool call of `group` was forwarded: a labelled tool becomes one of its legs. With the
   * guard off nothing is recorded (it costs nothing); turned on, it counts from the next call.
   */
  record(groupId: string, server: string, tool: string): void {
    if (this.options.settings.mode() === 'off') return;
    const bits = this.options.labels.bitsFor(server, tool);
    const now = this.options.now();
    const group = this.groupOf(groupId, undefined);
    group.touch(now, this.options.settings.idleMs());
    if (bits !== 0) group.add(server, tool, bits, now);
  }

  /** The user allowed a flow ask for the session: the guard lets this group be until it ends. */
  release(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group !== undefined) group.released = true;
  }

  /** Every live group with its legs, the most recently active first. */
  list(): FlowGroupInfo[] {
    const now = this.options.now();
    const idleMs = this.options.settings.idleMs();
    return [...this.groups.values()]
      .map((group) => {
        const info = group.info();
        info.legs = info.legs.map((leg) => ({ ...leg, tool: this.options.redact(leg.tool) }));
        // Shown as it would be judged: an idle group's legs are already gone.
        return idleMs > 0 && now - info.lastActiveAt > idleMs ? { ...info, legs: [], moreLegs: 0, readPrivate: false, readUntrusted: false, released: false } : info;
      })
      .sort((a, b) => b.lastActiveAt - a.lastActiveAt);
  }

  private groupOf(id: string, identity: GroupIdentity | undefined): FlowGroup {
    let group = this.groups.get(id);
    if (group === undefined) {
      if (identity === undefined) this.dropIdleUnjoined();
      group = new FlowGroup(identity ?? { id, client: '?', kind: 'session', parentPid: null }, this.options.now());
      this.groups.set(id, group);
    }
    return group;
  }

  /** Keeps the groups no connection joined (nothing ends them) below their bound. */
  private dropIdleUnjoined(): void {
    const unjoined = [...this.groups.entries()].filter(([, group]) => group.connections <= 0);
    if (unjoined.length < MAX_UNJOINED_GROUPS) return;
    let oldest = unjoined[0] as [string, FlowGroup];
    for (const entry of unjoined) if (entry[1].lastActiveAt < oldest[1].lastActiveAt) oldest = entry;
    this.groups.delete(oldest[0]);
  }
}

function named(legs: ReadonlyArray<{ server: string; tool: string }>): string {
  const shown = legs.slice(0, NAMED_LEGS).map((leg) => `${leg.server} → ${leg.tool}`);
  const more = legs.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
