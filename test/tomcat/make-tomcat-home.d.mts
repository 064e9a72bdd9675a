/** Types for make-tomcat-home.mjs (a real Tomcat 10 test node's home). */

/** A member of the session-replication cluster. */
export interface TomcatMember {
  node: string;
  host: string;
  clusterPort: number;
}

export interface TomcatHomeOptions {
  /** Where the files are written. */
  home: string;
  /** The path the node itself sees for `home` (default `home`), baked into catalina.sh and setenv.sh. */
  seenAs?: string;
  /** Node name: jvmRoute, mod_jk worker, X-Lrroll-Node. */
  node: string;
  /** The node's own address: every connector binds to it. */
  host: string;
  httpPort: number;
  ajpPort: number;
  shutdownPort: number;
  /** Session-replication receiver port (default 4000). */
  clusterPort?: number;
  /** Every node of the cluster (this one included), for static membership. */
  members?: TomcatMember[];
  /** HTTP session replication (a <Cluster> with DeltaManager) on or off (default off). */
  replication?: boolean;
  /** Maximum heap in MB (default 128). */
  heapMb?: number;
  /** The AJP connector's secret (mod_jk's workers need the same). */
  ajpSecret?: string;
}

export interface TomcatHome {
  home: string;
  /** CATALINA_BASE (`<home>/tomcat`). */
  base: string;
  catalina: string;
  setenv: string;
  log: string;
  pidFile: string;
  /** The page a hotfix-style change edits (`(build N)` in its text). */
  homeJsp: string;
}

export const CATALINA_HOME: string;
export const INITIAL_BUILD: number;
export function tomcatMissing(): string[] | null;
export function clusterXml(options: TomcatHomeOptions): string;
export function serverXml(options: TomcatHomeOptions): string;
export function writeServerXml(options: TomcatHomeOptions): void;
export function makeTomcatHome(options: TomcatHomeOptions): TomcatHome;
