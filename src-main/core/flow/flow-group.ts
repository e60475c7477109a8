import type { FlowGroupInfo, FlowLeg } from '../../../src-shared/flow-api.js';
import { labelsOf, PRIVATE, UNTRUSTED, type LabelBits } from './label-hints.js';

/** Most distinct legs a group keeps for display; what it has touched is kept in full as bits. */
export const MAX_LEGS = 32;
/** Longest tool name a leg keeps (a client may call any name on a server labelled as a whole). */
const MAX_NAME = 128;

/** Who a group is, as the session hub names it. */
export interface GroupIdentity {
  id: string;
  client: string;
  kind: FlowGroupInfo['kind'];
  parentPid: number | null;
}

interface Leg {
  server: string;
  tool: string;
  bits: LabelBits;
  calls: number;
  firstAt: number;
  lastAt: number;
}

/**
 * One conversation's legs: the labelled tools its calls went to. What matters to the guard —
 * which labels were touched — is a bit set that never loses a label; the list of legs is
 * bounded ({@link MAX_LEGS}) and is for people.
 */
export class FlowGroup {
  connections = 0;
  touched: LabelBits = 0;
  released = false;
  lastActiveAt: number;
  private readonly legs = new Map<string, Leg>();
  private moreLegs = 0;

  constructor(
    readonly identity: GroupIdentity,
    now: number,
  ) {
    this.lastActiveAt = now;
  }

  /** A call of the group: first its legs (and a release) go if it was idle over `idleMs` (0: never). */
  touch(now: number, idleMs: number): void {
    if (idleMs > 0 && now - this.lastActiveAt > idleMs) {
      this.touched = 0;
      this.released = false;
      this.legs.clear();
      this.moreLegs = 0;
    }
    this.lastActiveAt = now;
  }

  /** A call went to a labelled tool. */
  add(server: string, tool: string, bits: LabelBits, now: number): void {
    const before = this.touched;
    this.touched |= bits;
    const name = tool.length > MAX_NAME ? `${tool.slice(0, MAX_NAME)}…` : tool;
    const key = `${server}\u0000${name}`;
    const leg = this.legs.get(key);
    if (leg !== undefined) {
      leg.calls++;
      leg.lastAt = now;
      leg.bits |= bits;
      return;
    }
    // A leg bringing a label the group had not touched is always kept, so a reason can name it.
    if (this.legs.size >= MAX_LEGS && (bits & ~before) === 0) {
      this.moreLegs++;
      return;
    }
    this.legs.set(key, { server, tool: name, bits, calls: 1, firstAt: now, lastAt: now });
  }

  /** The kept legs that carry `bit`, oldest first (never empty for a touched bit). */
  legsWith(bit: LabelBits): Array<{ server: string; tool: string }> {
    return [...this.legs.values()].filter((leg) => leg.bits & bit).map((leg) => ({ server: leg.server, tool: leg.tool }));
  }

  info(): FlowGroupInfo {
    const legs: FlowLeg[] = [...this.legs.values()].map((leg) => ({
      server: leg.server,
      tool: leg.tool,
      labels: labelsOf(leg.bits),
      calls: leg.calls,
      firstAt: leg.firstAt,
      lastAt: leg.lastAt,
    }));
    return {
      ...this.identity,
      connections: this.connections,
      legs,
      moreLegs: this.moreLegs,
      readPrivate: (this.touched & PRIVATE) !== 0,
      readUntrusted: (this.touched & UNTRUSTED) !== 0,
      released: this.released,
      lastActiveAt: this.lastActiveAt,
    };
  }
}

/**
 * The group of a session that is one conversation by itself: an aggregated session (its legs
 * share it), or an HTTP session (its MCP session id).
 */
export function sessionGroup(client: string, sessionId: string): GroupIdentity {
  return { id: `session:${sessionId}`, client, kind: 'session', parentPid: null };
}

/**
 * The group of a per-server shim connection: every shim one client process launched (same
 * client key, same parent pid from the hello) is one conversation. A hello without a usable
 * parent pid (an older shim; anything but a positive integer) falls into the client's one
 * catch-all group: it fails closed — more calls share legs, none escapes them.
 */
export function processGroup(client: string, parentPid: unknown): GroupIdentity {
  if (typeof parentPid === 'number' && Number.isSafeInteger(parentPid) && parentPid > 0 && parentPid <= 0xffffffff) {
    return { id: `process:${parentPid}:${client}`, client, kind: 'process', parentPid };
  }
  return { id: `client:${client}`, client, kind: 'client', parentPid: null };
}
