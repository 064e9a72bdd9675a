/** Types for make-home.mjs (the simulated Liferay Home builder). */

/** Fields of <home>/sim.json, read by liferay-sim.mjs at start. */
export interface SimConfig {
  node: string;
  host: string;
  httpPort: number;
  startMs: number;
  stopMs: number;
  responseMs: number;
  clusterDir: string | null;
  tomcatDir: string;
  failStart: boolean;
  neverHealthy: boolean;
  hangOnStop: boolean;
  deployIntervalMs: number;
  maxLifetimeMs: number;
  /** When the node joins the cluster, ms after the process starts (default startMs / 2). */
  clusterJoinMs?: number;
}

export interface MakeHomeOptions {
  home: string;
  node: string;
  host: string;
  httpPort: number | string;
  startMs?: number;
  stopMs?: number;
  responseMs?: number;
  clusterDir?: string | null;
  /** Patch levels to preinstall, e.g. ['dxp-14'] or 'dxp-14,hotfix-1234'. */
  patches?: string[] | string;
  /** Tomcat folder name under the home (default `tomcat`). */
  tomcatDir?: string;
  /** Node.js binary written into catalina.sh (default process.execPath). */
  nodeBin?: string;
  /** liferay-sim.mjs path written into catalina.sh (default: next to make-home.mjs). */
  sim?: string;
  /** More sim.json fields, e.g. { failStart: true, maxLifetimeMs: 60000 }. */
  extra?: Partial<SimConfig> & Record<string, unknown>;
}

export interface SimHome {
  home: string;
  tomcat: string;
  node: string;
  host: string;
  httpPort: number;
  catalina: string;
  setenv: string;
  log: string;
  pidFile: string;
  patchingTool: string;
  simJson: string;
  clusterDir: string | null;
  /** Names of the preinstalled patches, e.g. ['dxp-14-7210']. */
  patches: string[];
  /** http://host:port */
  url: string;
}

export const BUILD: string;
export function makeHome(options: MakeHomeOptions): SimHome;
export function makeFakeJdk(dir: string, version?: string): string;
export function makePatchZip(
  patchesDir: string,
  level: string,
  options?: { requirements?: string },
): { name: string; path: string };
export function patchFile(level: string): { name: string; file: string };
export function zipBytes(entries: Record<string, string | Buffer>): Buffer;
export function writeZip(file: string, entries: Record<string, string | Buffer>): void;
export function shq(value: string): string;
