import type { LbVia, PlanLoadBalancer } from '../../plan/types.js';
import type { Transport } from '../transport.js';

/** A member's state as the load balancer reports it. */
export interface MemberState {
  /** Normalised state. */
  state: 'UP' | 'DOWN' | 'DRAIN' | 'MAINT' | 'UNKNOWN';
  /** The load balancer's own word for it (e.g. `UP 1/3`, `DRAIN`, `MAINT(via)`). */
  raw: string;
  /** Current sessions/connections (scur + qcur for HAProxy, busy for Apache/mod_jk), or null when unknown. */
  sessions: number | null;
}

/**
 * Drives one load balancer. Implementations: HAProxy runtime API, Apache balancer-manager, mod_jk status worker,
 * commands, none.
 */
export interface LbDriver {
  /** Stops new sessions going to the member (sticky sessions may continue). */
  drain(member: string, signal?: AbortSignal): Promise<void>;
  /** Hard step after the drain timeout: no traffic at all (and, when asked, kill remaining sessions). */
  disable(member: string, shutdownSessions: boolean, signal?: AbortSignal): Promise<void>;
  /** Puts the member back into rotation. */
  enable(member: string, signal?: AbortSignal): Promise<void>;
  /**
   * HAProxy only: marks the member's health UP at once (`set server … health up`), its checks left on. A plan step
   * (`lb-health-up`) asks for it only after the node's own HTTP probe passed.
   */
  healthUp?(member: string, signal?: AbortSignal): Promise<void>;
  /** The member's current state. Throws when the member does not exist. */
  state(member: string, signal?: AbortSignal): Promise<MemberState>;
  /** Every member of the pool with its state (for `lrroll status`). */
  members(signal?: AbortSignal): Promise<Map<string, MemberState>>;
  /** Releases connections. */
  close(): Promise<void>;
}

/**
 * What a driver factory needs: the plan's LB and, for LBs reached over SSH or running commands, a transport to that
 * host.
 */
export interface LbDriverContext {
  lb: PlanLoadBalancer;
  /** A transport to the LB host (`via`), or a local transport. */
  transport: Transport;
  /**
   * A transport to an instance's LB host, for several instances each reached over SSH (an HA pair of HAProxy hosts).
   */
  transportFor?: (via: LbVia) => Transport;
  /**
   * Values of the plan's secrets: `${NAME}` references in the LB's URL, and in a `command` load balancer's templates,
   * are filled in from them.
   */
  secrets?: Readonly<Record<string, string>>;
  /** Told of each API request a driver sends (a recorder of the run's remote actions). */
  onRequest?: (target: string, request: string) => void;
}
