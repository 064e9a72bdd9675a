/** Types for lb-configs.mjs (config files of the test load balancers). */

export interface LbNode {
  name: string;
  address: string;
  httpPort: number;
  ajpPort?: number;
}

export const APACHE_MODULES: string;
export function apacheBalancerConfig(o: {
  dir: string;
  host: string;
  port: number;
  nodes: LbNode[];
  balancer?: string;
}): string;
export function modJkConfig(o: { dir: string; host: string; port: number; balancer?: string }): string;
export function modJkWorkers(o: {
  nodes: Array<LbNode & { ajpPort: number }>;
  secret: string;
  balancer?: string;
}): string;
export function haproxyConfig(o: {
  socket: string;
  host?: string;
  port: number;
  nodes: LbNode[];
  backend?: string;
  /** The servers' health-check timing (`default-server …`), 'inter 300ms fall 2 rise 2' unless given. */
  checks?: string | undefined;
}): string;
