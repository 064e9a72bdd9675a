/* eslint-disable */
// DO NOT EDIT: generated from schemas/playbook.schema.json by `npm run gen:types`.
// A test regenerates it and fails on any difference.

/**
 * A string, number or boolean.
 */
export type Scalar = string | number | boolean;
/**
 * The load balancer in front of the nodes and how lrroll takes a node out of rotation and puts it back.
 */
export type LoadBalancer = HaproxyLb | ApacheLb | ModJkLb | CommandLb | NoLb;
/**
 * A short name for this load-balancer instance, shown by `lrroll status`, the plan and messages. Default: its `via` host, else its socket, else its URL's host.
 */
export type LbInstanceName = string;
/**
 * What to do when sticky sessions keep the member busy past `drainTimeout`: `maint` stops all traffic (remaining users fail over and lose their HTTP session unless it is replicated); `maint-and-shutdown-sessions` also kills the remaining connections; `fail` fails the node.
 */
export type OnDrainTimeout = 'maint' | 'maint-and-shutdown-sessions' | 'fail';
/**
 * One change. `type` decides which fields apply and whether it may be rolled (see the eligibility table in the README).
 */
export type Change =
  | ModuleChange
  | ThemeChange
  | FixpackChange
  | HotfixChange
  | FixpackRevertChange
  | PortalPropertiesChange
  | OsgiConfigChange
  | JvmSettingsChange
  | AppServerChange
  | JavaChange
  | ActivationKeyChange
  | OsUpgradeChange
  | CustomChange
  | RestartChange
  | ReleaseChange;
/**
 * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
 */
export type TemplateString = string;
/**
 * Before the first batch, after preflight.
 */
export type HookList = Hook[];
/**
 * After the last batch and the final checks.
 */
export type HookList1 = Hook[];
/**
 * Before each batch is drained.
 */
export type HookList2 = Hook[];
/**
 * After each batch is back in the load balancer.
 */
export type HookList3 = Hook[];
/**
 * Before each node is drained.
 */
export type HookList4 = Hook[];
/**
 * After each node is back in the load balancer.
 */
export type HookList5 = Hook[];
/**
 * When the run fails or halts.
 */
export type HookList6 = Hook[];

/**
 * An lrroll playbook: one change (or a list of changes) rolled across a Liferay DXP/Portal cluster behind a load balancer. Add `# yaml-language-server: $schema=<path to this file>` as the first line for completion and hover docs in editors.
 */
export interface Playbook {
  /**
   * Playbook format version. Always 1 for this release.
   */
  lrroll: 1;
  /**
   * A short human name for this change, shown in the plan, the progress view and the run record.
   */
  name: string;
  /**
   * Free text: why this change is made, ticket numbers, links. Shown at the top of the plan.
   */
  description?: string;
  /**
   * Values used in `{{ name }}` templates anywhere in the playbook. A value of the form `${ENV_NAME}` (or containing one) is a secret read from the environment at run time: it is never printed, stored in the plan or the journal, and reaches shell commands only as a quoted environment variable reference.
   */
  vars?: {
    [k: string]: Scalar;
  };
  inventory: Inventory;
  loadBalancer?: LoadBalancer;
  /**
   * The change to roll out: one change, or a list applied in order on each node while it is out of rotation. A list is eligible for a rolling restart only if every change in it is.
   */
  change: Change | [Change, ...Change[]];
  rollout?: Rollout;
  health?: Health;
  hooks?: Hooks;
}
/**
 * The cluster's nodes: inline under `nodes`, or read from `file` (an lrroll inventory YAML, or an existing Ansible INI/YAML inventory used as-is). The order of nodes is the rolling order unless `rollout.order` says otherwise.
 */
export interface Inventory {
  defaults?: NodeSettings;
  /**
   * The nodes, in rolling order.
   *
   * @minItems 1
   */
  nodes?: [Node, ...Node[]];
  /**
   * Path of an inventory file, relative to the playbook. `.ini`/no extension: Ansible INI; `.yml`/`.yaml`: an Ansible YAML inventory (top-level `all:`) or an lrroll inventory (`nodes:` and `defaults:`). An Ansible inventory is read as Ansible reads it: `group_vars/` and `host_vars/` next to it, Ansible's variable precedence, vault values decrypted with `ansible-vault`.
   */
  file?: string;
  /**
   * With an Ansible inventory: the group whose hosts form the cluster (default: every host).
   */
  group?: string;
  /**
   * How lrroll's SSH connections read their settings, for every node and the load-balancer host. `--ssh-config` and `--known-hosts` on the command line override these; unset, `LRROLL_SSH_CONFIG` / `LRROLL_KNOWN_HOSTS`, then `~/.ssh/config` and `~/.ssh/known_hosts` apply. Relative paths are relative to the playbook; `~` is your home.
   */
  ssh?: {
    /**
     * An OpenSSH client config file to follow instead of `~/.ssh/config` (Host aliases, HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile). It must exist.
     */
    configFile?: string;
    /**
     * known_hosts files to verify host keys against instead of `~/.ssh/known_hosts`; keys accepted with `--accept-new-host-keys` are added to the first.
     *
     * @minItems 1
     */
    knownHostsFiles?: [string, ...string[]];
  };
}
/**
 * Settings shared by nodes; any node may override them.
 */
export interface NodeSettings {
  /**
   * `ssh` to reach the node over SSH, `local` to run its commands on this machine (single-host use, the demo, tests).
   */
  transport?: 'ssh' | 'local';
  /**
   * SSH port (default from `~/.ssh/config`, else 22).
   */
  port?: number;
  /**
   * SSH user (default from `~/.ssh/config`, else the local user).
   */
  user?: string;
  /**
   * Private key file; `~` is expanded.
   */
  identityFile?: string;
  /**
   * Jump host(s) to reach the node through, as ssh's `-J`: `user@host:port`, several separated by commas (default from `~/.ssh/config`).
   */
  proxyJump?: string;
  /**
   * Run file changes on the node through sudo: `true` for passwordless `sudo -n`; `{ password: "${SUDO_PASSWORD}" }` when sudo asks for a password (a secret from the environment, sent to sudo on stdin, never on a command line); `user` to become another user than root.
   */
  become?:
    | boolean
    | {
        /**
         * The sudo password, as a secret reference `${NAME}` to an environment variable.
         */
        password?: string;
        /**
         * The user to run commands as (`sudo -u`), default root.
         */
        user?: string;
      };
  /**
   * Liferay Home on the node (holds `deploy/`, `osgi/`, `patching-tool/`, `portal-ext.properties`).
   */
  liferayHome?: string;
  /**
   * The app server folder (`tomcat-9.0.xx` in classic bundles, `tomcat` in newer ones).
   */
  tomcatHome?: string;
  /**
   * The port the node's app server answers HTTP on (used by the default health probe).
   */
  httpPort?: number;
  service?: Service;
  vars?: Vars;
  facts?: NodeFacts;
}
/**
 * How the app server is stopped and started on a node.
 */
export interface Service {
  /**
   * `scripts`: Tomcat's `catalina.sh start` / `catalina.sh stop <timeout> -force` with `CATALINA_PID` (its once-a-second wait for the JVM ends as soon as the JVM is gone); `systemd`: `systemctl start|stop <unit>`; `commands`: the `start`, `stop` and `status` commands given here.
   */
  type?: 'scripts' | 'systemd' | 'commands';
  /**
   * systemd unit name (type `systemd`).
   */
  unit?: string;
  /**
   * Command that starts the app server (type `commands`). Must return once the process is launched.
   */
  start?: string;
  /**
   * Command that stops the app server gracefully (type `commands`).
   */
  stop?: string;
  /**
   * Command run when the graceful stop has not finished within `stopTimeout`. Default: kill -9 of the process in `pidFile` (scripts, and commands: it fails when that file does not exist), `systemctl kill -s KILL` (systemd).
   */
  forceStop?: string;
  /**
   * Command that exits 0 while the app server process runs (type `commands`). Default: the process in `pidFile` is alive (scripts), `systemctl is-active` (systemd).
   */
  status?: string;
  /**
   * Where the app server's pid is written (`CATALINA_PID`): used by type `scripts`, and by type `commands` for the default `forceStop` and for thread dumps.
   */
  pidFile?: string;
  /**
   * How long a graceful stop may take before the forced stop.
   */
  stopTimeout?: number | string;
  /**
   * How long the start command itself may take to return (the health gates have their own deadlines).
   */
  startTimeout?: number | string;
  /**
   * Run the start/stop commands through `sudo -n` (default true for `systemd`, false otherwise).
   */
  become?: boolean;
}
/**
 * Variables for templates, overriding playbook `vars` for these nodes.
 */
export interface Vars {
  [k: string]: Scalar;
}
/**
 * Facts about the node that verdicts rest on, as you know them. Declared here they decide verdicts when the plan is made (the plan says so); `lrroll facts` gathers the same facts over SSH into a file for `--facts`. Preflight still reads them on every node and refuses the run when a node says otherwise. A fact left out is not known: its verdict waits for preflight, or takes the safe answer.
 */
export interface NodeFacts {
  /**
   * The `java -version` output of the JVM the app server starts with, as it prints it (the line with `version "…"` is enough), or the version alone (`17.0.12`, `1.8.0_412`).
   */
  java?: string;
  /**
   * The app server version: `catalina.sh version` output (its `Server number:` or `Server version:` line) or the version alone.
   */
  appServer?: string;
  /**
   * The installed patches as `patching-tool.sh info` lists them after `Currently installed patches:`; `[]` when none is installed.
   */
  patches?: string[];
  /**
   * Installed modules by Bundle-SymbolicName: `{ version, schemaVersion }` (`schemaVersion` as the `Release_` table holds it), or `not-installed`.
   */
  modules?: {
    [k: string]:
      | 'not-installed'
      | {
          /**
           * Its Bundle-Version.
           */
          version?: string;
          /**
           * Its Service Builder schema version (`Release_.schemaVersion`; the installed jar's `Liferay-Require-SchemaVersion` must equal it).
           */
          schemaVersion?: string;
        };
  };
}
/**
 * One cluster node.
 */
export interface Node {
  /**
   * Unique node name, used in the plan, the progress view and as the default load-balancer member name.
   */
  name: string;
  /**
   * Address or `~/.ssh/config` Host alias (default: the name).
   */
  host?: string;
  /**
   * The load-balancer member for this node (HAProxy server name, balancer worker URL, mod_jk member). Default: `loadBalancer.members[name]`, else the node name.
   */
  member?: string;
  /**
   * `ssh` to reach the node over SSH, `local` to run its commands on this machine (single-host use, the demo, tests).
   */
  transport?: 'ssh' | 'local';
  /**
   * SSH port (default from `~/.ssh/config`, else 22).
   */
  port?: number;
  /**
   * SSH user (default from `~/.ssh/config`, else the local user).
   */
  user?: string;
  /**
   * Private key file; `~` is expanded.
   */
  identityFile?: string;
  /**
   * Jump host(s) to reach the node through, as ssh's `-J`: `user@host:port`, several separated by commas (default from `~/.ssh/config`).
   */
  proxyJump?: string;
  /**
   * Run file changes on the node through sudo: `true` for passwordless `sudo -n`; `{ password: "${SUDO_PASSWORD}" }` when sudo asks for a password (a secret from the environment, sent to sudo on stdin, never on a command line); `user` to become another user than root.
   */
  become?:
    | boolean
    | {
        /**
         * The sudo password, as a secret reference `${NAME}` to an environment variable.
         */
        password?: string;
        /**
         * The user to run commands as (`sudo -u`), default root.
         */
        user?: string;
      };
  /**
   * Liferay Home on the node (holds `deploy/`, `osgi/`, `patching-tool/`, `portal-ext.properties`).
   */
  liferayHome?: string;
  /**
   * The app server folder (`tomcat-9.0.xx` in classic bundles, `tomcat` in newer ones).
   */
  tomcatHome?: string;
  /**
   * The port the node's app server answers HTTP on (used by the default health probe).
   */
  httpPort?: number;
  service?: Service;
  vars?: Vars;
  facts?: NodeFacts;
}
/**
 * HAProxy, driven through its runtime API on the admin stats socket (`stats socket … level admin`). One instance (`socket`, optional `via`), or several (`instances`, e.g. an HA pair): every drain, enable and check then goes to each of them.
 */
export interface HaproxyLb {
  /**
   * Load balancer kind.
   */
  type: 'haproxy';
  /**
   * The admin socket: a unix socket path, or `host:port` / `ipv4@host:port` for a TCP socket. Give `socket` or `instances`.
   */
  socket?: string;
  /**
   * The HAProxy backend holding the Liferay servers.
   */
  backend: string;
  via?: SshTarget;
  /**
   * Several HAProxy instances in front of the same servers (an HA pair, or more), each with its own admin socket and `via`. A node is drained in, and put back into, every instance; it counts as out of rotation when it is out of any. Use instead of `socket` and `via`.
   *
   * @minItems 1
   */
  instances?: [HaproxyInstance, ...HaproxyInstance[]];
  members?: LbMembers;
  /**
   * How long to wait for the member's sessions to reach zero after draining before the `onDrainTimeout` step.
   */
  drainTimeout?: number | string;
  onDrainTimeout?: OnDrainTimeout;
  /**
   * How long the load balancer may take to report the member UP after it is enabled.
   */
  upTimeout?: number | string;
  /**
   * Put a node back without waiting for HAProxy's health checks to rise again: once the node has passed lrroll's own gates, including the HTTP probe (`health.http`), send `set server <backend>/<server> health up` (to every instance) right after `state ready`, so the member is UP at once instead of after its `rise` checks every `inter`. `check` and `agent-check` stay on: a member whose checks then fail goes DOWN after `fall` of them, as always, and an agent that says down still wins. Not planned when `health.http` is off. Set `false` when HAProxy's check tests something the HTTP probe does not (another port or connector, TLS, a different URL), so HAProxy's own checks decide when the node is back.
   */
  healthUpAfterProbe?: boolean;
  /**
   * How often the load balancer is polled while waiting. For the first 3 s of the wait for UP it is asked every 0.1 s, and so are HAProxy, Apache and mod_jk for the first 3 s of a drain (a `command` load balancer's `sessions` command runs at this interval throughout: it may call a rate-limited API).
   */
  pollInterval?: number | string;
}
/**
 * Reach the socket over SSH on the LB host (commands run there with `socat`). Omit to use the socket from this machine.
 */
export interface SshTarget {
  /**
   * Host name, address or `~/.ssh/config` Host alias.
   */
  host: string;
  /**
   * SSH port (default from `~/.ssh/config`, else 22).
   */
  port?: number;
  /**
   * SSH user (default from `~/.ssh/config`, else the local user).
   */
  user?: string;
  /**
   * Private key file; `~` is expanded. Encrypted keys take their passphrase from `LRROLL_SSH_PASSPHRASE` or a prompt.
   */
  identityFile?: string;
  /**
   * Run commands on this host through `sudo -n` (passwordless sudo).
   */
  become?: boolean;
}
/**
 * One HAProxy instance of several.
 */
export interface HaproxyInstance {
  name?: LbInstanceName;
  /**
   * This instance's admin socket: a unix socket path, or `host:port` / `ipv4@host:port`.
   */
  socket: string;
  via?: SshTarget1;
}
/**
 * How to reach a host over SSH. Unset fields come from `~/.ssh/config` and ssh-agent, as with `ssh`.
 */
export interface SshTarget1 {
  /**
   * Host name, address or `~/.ssh/config` Host alias.
   */
  host: string;
  /**
   * SSH port (default from `~/.ssh/config`, else 22).
   */
  port?: number;
  /**
   * SSH user (default from `~/.ssh/config`, else the local user).
   */
  user?: string;
  /**
   * Private key file; `~` is expanded. Encrypted keys take their passphrase from `LRROLL_SSH_PASSPHRASE` or a prompt.
   */
  identityFile?: string;
  /**
   * Run commands on this host through `sudo -n` (passwordless sudo).
   */
  become?: boolean;
}
/**
 * Map from node name to load-balancer member (HAProxy server name, balancer-manager worker URL, mod_jk member). Nodes not listed use their `member`, else their name.
 */
export interface LbMembers {
  [k: string]: string;
}
/**
 * Apache httpd mod_proxy_balancer, driven through its balancer-manager page. One instance (`url`), or several (`instances`, e.g. an HA pair of Apache front ends): every drain, enable and check then goes to each of them.
 */
export interface ApacheLb {
  /**
   * Load balancer kind.
   */
  type: 'apache';
  /**
   * URL of the balancer-manager page. Give `url` or `instances`.
   */
  url?: string;
  /**
   * Several Apache front ends with the same balancer (an HA pair, or more), each with its own balancer-manager page URL. A node is drained in, and put back into, every instance; it counts as out of rotation when it is out of any. Use instead of `url`.
   *
   * @minItems 1
   */
  instances?: [HttpLbInstance, ...HttpLbInstance[]];
  /**
   * Balancer name without `balancer://`.
   */
  balancer: string;
  members?: LbMembers;
  /**
   * How long to wait for the member's sessions to reach zero after draining before the `onDrainTimeout` step.
   */
  drainTimeout?: number | string;
  onDrainTimeout?: OnDrainTimeout;
  /**
   * How long the load balancer may take to report the member UP after it is enabled.
   */
  upTimeout?: number | string;
  /**
   * How often the load balancer is polled while waiting. For the first 3 s of the wait for UP it is asked every 0.1 s, and so are HAProxy, Apache and mod_jk for the first 3 s of a drain (a `command` load balancer's `sessions` command runs at this interval throughout: it may call a rate-limited API).
   */
  pollInterval?: number | string;
}
/**
 * One Apache front end of several (balancer-manager or mod_jk status worker).
 */
export interface HttpLbInstance {
  name?: LbInstanceName;
  /**
   * This front end's balancer-manager or status worker URL (templates and `${NAME}` secrets as in `url`).
   */
  url: string;
}
/**
 * Apache httpd with mod_jk, driven through its status worker. One instance (`url`), or several (`instances`, e.g. an HA pair of Apache front ends): every drain, enable and check then goes to each of them.
 */
export interface ModJkLb {
  /**
   * Load balancer kind.
   */
  type: 'mod_jk';
  /**
   * URL of the mod_jk status worker (must not be `read_only`). Give `url` or `instances`.
   */
  url?: string;
  /**
   * Several Apache front ends with the same balancer (an HA pair, or more), each with its own mod_jk status worker URL. A node is drained in, and put back into, every instance; it counts as out of rotation when it is out of any. Use instead of `url`.
   *
   * @minItems 1
   */
  instances?: [HttpLbInstance, ...HttpLbInstance[]];
  /**
   * The lb worker name.
   */
  balancer: string;
  members?: LbMembers;
  /**
   * How long to wait for the member's sessions to reach zero after draining before the `onDrainTimeout` step.
   */
  drainTimeout?: number | string;
  onDrainTimeout?: OnDrainTimeout;
  /**
   * How long the load balancer may take to report the member UP after it is enabled.
   */
  upTimeout?: number | string;
  /**
   * How often the load balancer is polled while waiting. For the first 3 s of the wait for UP it is asked every 0.1 s, and so are HAProxy, Apache and mod_jk for the first 3 s of a drain (a `command` load balancer's `sessions` command runs at this interval throughout: it may call a rate-limited API).
   */
  pollInterval?: number | string;
}
/**
 * Any other load balancer, driven by your own commands. Templates may use `{{ member }}` and `{{ node }}`.
 */
export interface CommandLb {
  /**
   * Load balancer kind.
   */
  type: 'command';
  /**
   * Stops new sessions going to the member (existing sticky sessions may continue).
   */
  drain: string;
  /**
   * Hard step when draining times out: no traffic at all to the member.
   */
  disable?: string;
  /**
   * Puts the member back into rotation.
   */
  enable: string;
  /**
   * Prints the member's state: one of `UP`, `DOWN`, `DRAIN`, `MAINT`.
   */
  status: string;
  /**
   * Prints the member's current session/connection count (a number). Without it lrroll cannot see when the member is idle: draining is a fixed wait of `drainWait`, then `disable`.
   */
  sessions?: string;
  /**
   * Without a `sessions` command: how long to wait after the drain before the hard step (`disable`) and the stop, instead of the whole `drainTimeout`. Ignored when `sessions` is set.
   */
  drainWait?: number | string;
  via?: SshTarget2;
  members?: LbMembers;
  /**
   * How long to wait for the member's sessions to reach zero after draining before the `onDrainTimeout` step.
   */
  drainTimeout?: number | string;
  onDrainTimeout?: OnDrainTimeout;
  /**
   * How long the load balancer may take to report the member UP after it is enabled.
   */
  upTimeout?: number | string;
  /**
   * How often the load balancer is polled while waiting. For the first 3 s of the wait for UP it is asked every 0.1 s, and so are HAProxy, Apache and mod_jk for the first 3 s of a drain (a `command` load balancer's `sessions` command runs at this interval throughout: it may call a rate-limited API).
   */
  pollInterval?: number | string;
}
/**
 * How to reach a host over SSH. Unset fields come from `~/.ssh/config` and ssh-agent, as with `ssh`.
 */
export interface SshTarget2 {
  /**
   * Host name, address or `~/.ssh/config` Host alias.
   */
  host: string;
  /**
   * SSH port (default from `~/.ssh/config`, else 22).
   */
  port?: number;
  /**
   * SSH user (default from `~/.ssh/config`, else the local user).
   */
  user?: string;
  /**
   * Private key file; `~` is expanded. Encrypted keys take their passphrase from `LRROLL_SSH_PASSPHRASE` or a prompt.
   */
  identityFile?: string;
  /**
   * Run commands on this host through `sudo -n` (passwordless sudo).
   */
  become?: boolean;
}
/**
 * No load balancer: nodes are stopped and started without draining. Users of a stopped node see errors unless something else routes around it.
 */
export interface NoLb {
  /**
   * Load balancer kind.
   */
  type: 'none';
}
/**
 * Install or update an OSGi module, plugin WAR or LPKG.
 */
export interface ModuleChange {
  /**
   * Change kind.
   */
  type: 'module';
  /**
   * The jar/war/lpkg on this machine, relative to the playbook. Its manifest is read for the bundle name and `Liferay-Require-SchemaVersion`.
   */
  artifact: string;
  /**
   * `deploy`: the hot-deploy folder (confirmed by the bundle's `STARTED` log line); `modules`: straight into `osgi/modules` (present at boot).
   */
  deployTo?: 'deploy' | 'modules';
  /**
   * File name glob of the previous version to remove from `osgi/modules` / `osgi/war` (backed up first).
   */
  replaces?: string;
  /**
   * Declared data impact of this version: `none`, `compatible` (backward compatible data/schema changes) or `incompatible` (changes data in existing columns, drops or renames columns, changes types or formats — never rolling).
   */
  dataChanges?: 'none' | 'compatible' | 'incompatible';
  /**
   * The schema version installed now (`Release_.schemaVersion`). When omitted, preflight reads it on the first node and refuses the run if the move is major/minor.
   */
  installedSchemaVersion?: string;
  override?: VerdictOverride;
}
/**
 * Relaxes this change's verdict with a recorded decision (Liferay support decides borderline cases case by case). Only a verdict resting on a missing declaration or an unknown fact can be relaxed; one resting on evidence read from the artifact (SQL or upgrade steps, classes in cluster packages, a major/minor schema move read from the jar), on a known breaking level, on known node facts or on the playbook's own declaration cannot. Part of the plan hash, shown first in the plan and kept in the run record.
 */
export interface VerdictOverride {
  /**
   * The verdict to use instead.
   */
  verdict: 'rolling' | 'rolling-with-warning';
  /**
   * Why, in a sentence someone reading the run record later understands.
   */
  reason: string;
  /**
   * The support ticket or change request that holds the decision.
   */
  ticket?: string;
}
/**
 * Install or update a theme (a plugin WAR: the module rules apply).
 */
export interface ThemeChange {
  /**
   * Change kind.
   */
  type: 'theme';
  /**
   * The theme WAR on this machine, relative to the playbook.
   */
  artifact: string;
  /**
   * `deploy` (hot deploy, the usual way for themes) or `modules`.
   */
  deployTo?: 'deploy' | 'modules';
  /**
   * File name glob of the previous version to remove from `osgi/war` (backed up first).
   */
  replaces?: string;
  /**
   * Declared data impact; themes normally have `none`.
   */
  dataChanges?: 'none' | 'compatible' | 'incompatible';
  override?: VerdictOverride;
}
/**
 * Install a fix pack (or service pack / update) with the Patching Tool.
 */
export interface FixpackChange {
  /**
   * Change kind.
   */
  type: 'fixpack';
  /**
   * The patch zip on this machine, relative to the playbook. It is listed and its `fixpack_documentation.json`/`.xml` read.
   */
  artifact: string;
  /**
   * Declare that the Customer Portal marks this fix pack revertible. Liferay's metadata has no such flag, so a patch with class or jar changes rolls only when this is `true`.
   */
  revertible?: boolean;
  /**
   * The fix pack level installed now (e.g. `dxp-10` or `dxp-10-7210`). Needed to check for known breaking levels between it and the new one (a node fact declared or gathered gives it too); preflight confirms it on every node.
   */
  from?: string;
  /**
   * Fix pack levels known to break rolling restarts (schema or clustering changes), added to the list lrroll ships; written as `from` is (`dxp-30` or `dxp-30-7310`). Moving across one, up or down, makes the change a full restart.
   */
  breakingLevels?: string[];
  /**
   * Patching Tool profile (`./patching-tool.sh <profile> install`).
   */
  profile?: string;
  /**
   * Remove `osgi/state` after installing (Liferay requires it).
   */
  clearOsgiState?: boolean;
  /**
   * Empty `work/` after installing, where it exists (7.2 and older).
   */
  clearWork?: boolean;
  override?: VerdictOverride;
}
/**
 * Install a hotfix with the Patching Tool.
 */
export interface HotfixChange {
  /**
   * Change kind.
   */
  type: 'hotfix';
  /**
   * The hotfix zip on this machine, relative to the playbook.
   */
  artifact: string;
  /**
   * Declare that this hotfix is revertible (a hotfix with class or jar changes rolls only when this is `true`).
   */
  revertible?: boolean;
  /**
   * Patching Tool profile.
   */
  profile?: string;
  /**
   * Remove `osgi/state` after installing.
   */
  clearOsgiState?: boolean;
  /**
   * Empty `work/` after installing, where it exists.
   */
  clearWork?: boolean;
  /**
   * The release the hotfix is built for (a quarterly or patch release such as `2024.q1.1`, or a 7.4 update `7.4.13-u92`); preflight confirms every node runs it.
   */
  release?: string;
  override?: VerdictOverride;
}
/**
 * Remove an installed fix pack or hotfix (take its zip out of `patching-tool/patches`, then `install`).
 */
export interface FixpackRevertChange {
  /**
   * Change kind.
   */
  type: 'fixpack-revert';
  /**
   * The patch to remove, as `patching-tool.sh info` names it, or its zip file name in `patches/`.
   */
  patch: string;
  /**
   * The fix pack level the nodes return to once the patch is removed (e.g. `dxp-10` or `dxp-10-7210`). Needed to remove a fix pack in a rolling restart: the way down is checked against known breaking levels as the way up is, and preflight confirms the level after the removal.
   */
  to?: string;
  /**
   * The zip of the patch being removed, on this machine relative to the playbook (optional). When given it is read as an install would be: SQL or upgrade steps and cluster classes make the removal a full restart, and a JSP/static-only patch needs no `revertible` declaration.
   */
  artifact?: string;
  /**
   * Declare that the patch is revertible (required for a rolling removal).
   */
  revertible?: boolean;
  /**
   * Fix pack levels known to break rolling restarts, added to the list lrroll ships (as for a fix pack install); moving down across one makes the removal a full restart.
   */
  breakingLevels?: string[];
  /**
   * Patching Tool profile.
   */
  profile?: string;
  /**
   * Remove `osgi/state` afterwards.
   */
  clearOsgiState?: boolean;
  /**
   * Empty `work/` afterwards, where it exists.
   */
  clearWork?: boolean;
  override?: VerdictOverride;
}
/**
 * Set or remove keys in `portal-ext.properties`, keeping comments and order (written atomically), or install a whole `portal-ext.properties` shipped from the playbook's repository (`source`).
 */
export interface PortalPropertiesChange {
  /**
   * Change kind.
   */
  type: 'portal-properties';
  /**
   * The properties file, relative to Liferay Home or absolute.
   */
  file?: string;
  /**
   * A properties file in the playbook's repository (relative to the playbook), uploaded and staged in preflight like any artifact and installed as `file` (the old one backed up). Not with `set`/`unset`.
   */
  source?: string;
  /**
   * Keys to set (existing keys keep their place; new keys are appended).
   */
  set?: {
    [k: string]: Scalar;
  };
  /**
   * Keys to remove.
   */
  unset?: string[];
  override?: VerdictOverride;
}
/**
 * Add, replace or remove configuration files in `osgi/configs` (System Settings).
 */
export interface OsgiConfigChange {
  /**
   * Change kind.
   */
  type: 'osgi-config';
  /**
   * Config files to copy from this machine (relative to the playbook).
   */
  files?: {
    /**
     * Local file, relative to the playbook.
     */
    source: string;
    /**
     * File name in `osgi/configs` (default: the source's name). Must be the configuration PID plus `.config` (or `~name.config` for factory configurations).
     */
    name?: string;
  }[];
  /**
   * File names to remove from `osgi/configs`.
   */
  remove?: string[];
  override?: VerdictOverride;
}
/**
 * JVM options and environment for the app server: kept in an lrroll-managed block of `setenv.sh`, or a whole `setenv.sh` shipped from the playbook's repository (`source`).
 */
export interface JvmSettingsChange {
  /**
   * Change kind.
   */
  type: 'jvm-settings';
  /**
   * The setenv script.
   */
  file?: string;
  /**
   * A setenv script in the playbook's repository (relative to the playbook), uploaded and staged in preflight like any artifact and installed as `file` (the old one backed up). Its JVM options (`CATALINA_OPTS`/`JAVA_OPTS` assignments) are read and shown in the plan. Not with `options`/`env`.
   */
  source?: string;
  /**
   * JVM options appended to `CATALINA_OPTS`, in order.
   */
  options?: string[];
  /**
   * Environment variables exported by the block.
   */
  env?: {
    [k: string]: Scalar;
  };
  override?: VerdictOverride;
}
/**
 * An application server update: configuration or library files (e.g. `conf/server.xml`, a JDBC driver in `lib/`), commands run on the stopped node, and the app server version it moves to.
 */
export interface AppServerChange {
  /**
   * Change kind.
   */
  type: 'app-server';
  /**
   * Files to install (with `commands`, at least one of the two).
   *
   * @minItems 1
   */
  files?: [
    {
      /**
       * Local file, relative to the playbook.
       */
      source: string;
      /**
       * Destination path on the node, relative to the app server folder or absolute.
       */
      dest: string;
    },
    ...{
      /**
       * Local file, relative to the playbook.
       */
      source: string;
      /**
       * Destination path on the node, relative to the app server folder or absolute.
       */
      dest: string;
    }[]
  ];
  /**
   * Commands run on each stopped node after the files are installed, in order (e.g. a package manager updating Tomcat). They run through sudo when the node uses `become`.
   *
   * @minItems 1
   */
  commands?: [TemplateString, ...TemplateString[]];
  /**
   * Paths on the node the commands change; backed up first and restored on rollback.
   *
   * Items: A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  backup?: string[];
  /**
   * The app server version this change moves to (e.g. `9.0.85`). The move from the installed version (a node fact) is a warning in the verdict, a downgrade called so; after applying, `catalina.sh version` must report it.
   */
  version?: string;
  override?: VerdictOverride;
}
/**
 * Point the app server at another JDK. Minor vs major update is decided by comparing `from` and `to`.
 */
export interface JavaChange {
  /**
   * Change kind.
   */
  type: 'java';
  /**
   * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  javaHome: string;
  /**
   * The Java version the nodes run now (e.g. `17.0.12` or `1.8.0_412`). Without it the change cannot be judged and is not eligible for rolling.
   */
  from?: string;
  /**
   * The new JDK's version.
   */
  to: string;
  /**
   * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  file?: string;
  override?: VerdictOverride;
}
/**
 * Install a new activation key (license XML) through the deploy folder.
 */
export interface ActivationKeyChange {
  /**
   * Change kind.
   */
  type: 'activation-key';
  /**
   * The activation key XML on this machine, relative to the playbook.
   */
  artifact: string;
  override?: VerdictOverride;
}
/**
 * An operating system upgrade. Never rolling: run it with `strategy: full`.
 */
export interface OsUpgradeChange {
  /**
   * Change kind.
   */
  type: 'os-upgrade';
  /**
   * Commands run on each stopped node, in order.
   *
   * @minItems 1
   */
  commands: [TemplateString, ...TemplateString[]];
  override?: VerdictOverride;
  /**
   * The release the upgrade reaches, as `/etc/os-release` names it: after the commands, `ID` and `VERSION_ID` must match.
   */
  target?: {
    /**
     * `ID` in /etc/os-release, e.g. `debian`, `rhel`, `ubuntu`.
     */
    id: string;
    /**
     * `VERSION_ID` in /etc/os-release, e.g. `12`, `9.4`, `24.04`.
     */
    version: string;
  };
}
/**
 * Your own commands, with a declared rolling safety.
 */
export interface CustomChange {
  /**
   * Change kind.
   */
  type: 'custom';
  /**
   * What the commands do, shown in the plan.
   */
  name: string;
  /**
   * Commands run on the node, in order, while it is out of rotation and stopped (or running, see `when`).
   *
   * @minItems 1
   */
  commands: [TemplateString, ...TemplateString[]];
  /**
   * Declare whether old and new nodes may serve side by side (no schema, data-format or cluster-code change).
   */
  rollingSafe: boolean;
  /**
   * Declare that the commands change cluster code (Cluster Link, the cluster scheduler or cluster caches): never rolling, whatever `rollingSafe` says; run it with `strategy: full`.
   */
  clusterCode?: boolean;
  /**
   * Run while the app server is `stopped` (default) or still `running` (after draining).
   */
  when?: 'stopped' | 'running';
  /**
   * Paths on the node the commands change; they are backed up first and restored on rollback.
   *
   * Items: A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  backup?: string[];
  /**
   * Commands that must exit 0 after the change.
   */
  verify?: TemplateString[];
  /**
   * Commands that undo the change (run on rollback after the backup is restored).
   */
  revert?: TemplateString[];
  /**
   * Run the commands through `sudo -n`.
   */
  become?: boolean;
  override?: VerdictOverride;
}
/**
 * No change: restart the nodes only (e.g. to release memory or pick up OS library updates already installed).
 */
export interface RestartChange {
  /**
   * Change kind.
   */
  type: 'restart';
  /**
   * Why the nodes are restarted, shown in the plan.
   */
  reason?: string;
  override?: VerdictOverride;
}
/**
 * Move to another Liferay DXP release: a quarterly or patch release (`2024.q1.3`, `2025.q1.0`) or a 7.4 update (`7.4.13-u102`), as a new Tomcat bundle (`bundle`) or a new set of `.lpkg` files (`lpkgs`). Rolled only within one quarter (or from one 7.4 update to a later one) and only when it runs no upgrade processes; see docs/liferay-releases.md.
 */
export interface ReleaseChange {
  /**
   * Change kind.
   */
  type: 'release';
  /**
   * The release the nodes get: `YYYY.qN.P` for a quarterly or patch release, `7.4.13-uNN` for a 7.4 update.
   */
  to: string;
  /**
   * The release the nodes run now. Without it the move cannot be judged (not eligible); preflight confirms it on every node (lrroll's record of the release it installed, else the newest `Starting Liferay …` line of the node's log).
   */
  from?: string;
  /**
   * The new Tomcat bundle (`.zip`) on this machine, relative to the playbook. Its Tomcat folder replaces `tomcatHome` (with the node's own `server.xml`, `web.xml`, `setenv.sh`, `conf/Catalina/localhost/`, logging and cache configuration and extra `lib/*.jar` carried over, as Liferay's update procedure says), and its `osgi/core`, `osgi/portal`, `osgi/portal-war`, `osgi/static`, Liferay's `osgi/marketplace/Liferay *.lpkg`, `tools/` and `patching-tool/` (keeping its `*.properties`) replace the node's. Configuration in Liferay Home stays as it is.
   */
  bundle?: string;
  /**
   * A new set of `.lpkg` files (DXP 7.4 updates ship Liferay's modules as lpkgs), relative to the playbook; each goes into `osgi/marketplace`, replacing the file of the same name.
   *
   * @minItems 1
   */
  lpkgs?: [string, ...string[]];
  /**
   * Declare, from the release notes, whether this release runs upgrade processes (core or module schema or data upgrades). A release that does is never rolled; without the declaration a rolling verdict is withheld. Preflight still compares every bundle's `Liferay-Require-SchemaVersion` with the node's.
   */
  upgradeProcesses?: boolean;
  /**
   * With `bundle`: more paths (relative to the current Tomcat folder) to carry into the new bundle's Tomcat folder, besides the ones Liferay lists.
   */
  carry?: TemplateString[];
  /**
   * Remove `osgi/state` after the new release is in place (bundles then install fresh).
   */
  clearOsgiState?: boolean;
  override?: VerdictOverride;
}
/**
 * How nodes are taken through the change.
 */
export interface Rollout {
  /**
   * `rolling`: batch by batch, the rest of the cluster serving; refused for changes that cannot be rolled. `full`: drain all, stop all, apply on all, start the first node alone until fully started, then the others one at a time (downtime).
   */
  strategy?: 'rolling' | 'full';
  /**
   * Batch sizes, exactly as Ansible's `serial`: an integer; `0` or `-1` for all remaining nodes (alone or inside a list); a whole percentage of the nodes being rolled, `int((p / 100.0) * N)` in binary floating point as Python computes it, at least 1 (so `"29%"` of 100 nodes is 28); or a list used in order whose last entry repeats, e.g. `[1, 2, "50%"]`. A decimal percentage such as `"12.5%"` is an error, as in Ansible.
   */
  serial?: number | string | [number | string, ...(number | string)[]];
  /**
   * Node order: inventory order, its reverse, sorted by name, reverse sorted, or shuffled (deterministically, with `seed`).
   */
  order?: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  /**
   * Seed for `order: shuffle`, so the same playbook always gives the same order.
   */
  seed?: number;
  /**
   * The minimum number (or percentage, rounded up) of healthy nodes in the load balancer at every moment of the run. A plan whose batches would break it is refused.
   */
  minHealthy?: number | string;
  /**
   * Failure budget for the whole run (not per batch): how many nodes (or what percentage, rounded down) may fail before the run stops.
   */
  maxFailures?: number | string;
  /**
   * `halt`: stop scheduling new nodes, keep every healthy node in the load balancer; `rollback`: restore the failed node from its backups, restart it, re-enable it, then halt.
   */
  onFailure?: 'halt' | 'rollback';
  /**
   * A first batch rolled on its own, then left to bake before the rest.
   */
  canary?: {
    /**
     * How many nodes (from the front of the order), or which nodes by name.
     */
    nodes?: number | [string, ...string[]];
    /**
     * How long to watch the canary after it is back before continuing: every `watchInterval` its HTTP probe must answer, its app server process must run, and no new log line may match `errorPattern`; the first problem fails the bake at once.
     */
    bake?: number | string;
    /**
     * Ask for confirmation after the bake time before the other batches.
     */
    confirm?: boolean;
    /**
     * An extended regular expression (grep -E): a line matching it in a canary's log during the bake fails the bake. Default: Liferay's ERROR, Tomcat's SEVERE, FATAL and OutOfMemoryError lines. An empty string turns the log check off.
     */
    errorPattern?: string;
    /**
     * How often the canary is checked during the bake.
     */
    watchInterval?: number | string;
  };
  /**
   * Ask for approval before each batch after the first (on a terminal; `--yes` continues).
   */
  pauseBetweenBatches?: boolean;
  /**
   * Maintenance window: the run starts, and each batch starts, only inside it, and a batch whose estimate would overrun it is not started. Give `start`/`end` for every run, and/or a window per strategy under `rolling` and `full` (a rolling restart in business hours, a full restart at night, …): the strategy's own window wins, and the plan says which one applies.
   */
  window?: {
    /**
     * Days the window opens on (default every day); the default for `rolling`/`full` windows too.
     *
     * @minItems 1
     */
    days?: [
      'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun',
      ...('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[]
    ];
    /**
     * Opening time, `HH:MM` (24 h).
     */
    start?: string;
    /**
     * Closing time, `HH:MM`; earlier than `start` means the next day.
     */
    end?: string;
    /**
     * IANA time zone of the window; the default for `rolling`/`full` windows too.
     */
    timezone?: string;
    rolling?: WindowSpec;
    full?: WindowSpec1;
  };
  /**
   * After the last batch, once (seed 001's last step): clear Liferay's caches across the cluster. `serverAdmin` runs Server Administration's "Clear content cached across the cluster" action (no command to write); `command` runs your own. Run on the first node unless `on` says otherwise.
   */
  clearCache?: {
    /**
     * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
     */
    command?: string;
    /**
     * Where it runs: `node` (the first node) or `local`.
     */
    on?: 'node' | 'local';
    /**
     * Clear the caches as Control Panel → Server Administration → Resources → "Clear content cached across the cluster" does (the portal's `/server_admin/edit_server` action with `cmd=cacheMulti`): lrroll signs in at `/c/portal/login` with an administrator's credentials and posts the action, from the node itself with curl. The credentials come from the environment and are never printed.
     */
    serverAdmin?: {
      /**
       * The sign-in of an administrator (omniadmin): an email address or screen name, as your portal authenticates, or a secret `${ENV_NAME}`.
       */
      login: string;
      /**
       * That administrator's password: a secret from the environment, `${ENV_NAME}` (a literal password is refused).
       */
      password: string;
      /**
       * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
       */
      url?: string;
    };
  };
  /**
   * After the last batch, check that every node reports the same patch level, module versions and properties fingerprint.
   */
  consistencyCheck?: boolean;
  /**
   * How many runs' backups and staged artifacts stay under `<liferayHome>/.lrroll/` on each node, this run's included: after the last batch a final step per node removes older runs' backup folders and the staged files no kept run uses (the run lock is never touched). `lrroll clean` removes them on demand.
   */
  retention?: number;
}
/**
 * The window for `strategy: rolling` runs (overrides `start`/`end` here).
 */
export interface WindowSpec {
  /**
   * Days this window opens on (default: the enclosing `window`'s, else every day).
   *
   * @minItems 1
   */
  days?: [
    'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun',
    ...('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[]
  ];
  /**
   * Opening time, `HH:MM` (24 h).
   */
  start: string;
  /**
   * Closing time, `HH:MM`; earlier than `start` means the next day.
   */
  end: string;
  /**
   * IANA time zone of this window (default: the enclosing `window`'s, else UTC).
   */
  timezone?: string;
}
/**
 * The window for `strategy: full` runs (overrides `start`/`end` here).
 */
export interface WindowSpec1 {
  /**
   * Days this window opens on (default: the enclosing `window`'s, else every day).
   *
   * @minItems 1
   */
  days?: [
    'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun',
    ...('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[]
  ];
  /**
   * Opening time, `HH:MM` (24 h).
   */
  start: string;
  /**
   * Closing time, `HH:MM`; earlier than `start` means the next day.
   */
  end: string;
  /**
   * IANA time zone of this window (default: the enclosing `window`'s, else UTC).
   */
  timezone?: string;
}
/**
 * When a started node counts as back. Gates run in order: log marker, HTTP probe, cluster view, modules, OSGi components, settle, warm-up; each has its own deadline.
 */
export interface Health {
  /**
   * Wait for Tomcat's `Server startup in [N] milliseconds` (or the older `Server startup in N ms`) written after this start began.
   */
  startupMarker?: {
    /**
     * Use this gate.
     */
    enabled?: boolean;
    /**
     * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
     */
    log?: string;
    /**
     * Deadline, counted from the start command.
     */
    timeout?: number | string;
  };
  /**
   * An HTTP probe that must succeed (polled).
   */
  http?: {
    /**
     * Use this gate.
     */
    enabled?: boolean;
    /**
     * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
     */
    url?: string;
    /**
     * Accepted status codes.
     *
     * @minItems 1
     */
    status?: [number, ...number[]];
    /**
     * A regular expression the body must match.
     */
    bodyMatch?: string;
    /**
     * Time between attempts (independent of the deadline).
     */
    interval?: number | string;
    /**
     * Startup deadline: how long the node may take to pass, counted from when this gate begins (after the log marker), independent of the interval.
     */
    timeout?: number | string;
    /**
     * Consecutive passing attempts needed (Liferay Cloud's `successThreshold`): a failing attempt starts the count again, so a node that answers once while still starting does not pass.
     */
    successes?: number;
    /**
     * Time one attempt may take (curl's `--max-time`).
     */
    attemptTimeout?: number | string;
  };
  /**
   * Wait for the node's JGroups `Accepted view … (N)` on each channel to show at least the nodes the plan has running when it starts (Cluster Link): the whole cluster minus the nodes of its batch that start after it (in a full restart, the nodes started so far). Progress says which members it sees and which it waits for.
   */
  cluster?: {
    /**
     * Use this gate (only for clusters with `cluster.link.enabled=true`).
     */
    enabled?: boolean;
    /**
     * Member count of the whole cluster (default: the number of nodes in the inventory); set it when the cluster has members outside the inventory. Each gate subtracts the batch-mates still down.
     */
    expectedSize?: number;
    /**
     * Channels that must each report the view.
     *
     * @minItems 1
     */
    channels?: [string, ...string[]];
    /**
     * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
     */
    log?: string;
    /**
     * Deadline.
     */
    timeout?: number | string;
  };
  /**
   * Wait for `STARTED <bundle>_<version>` lines (default: the bundles this change deploys).
   */
  modules?: {
    /**
     * Bundle symbolic names that must start, in addition to the deployed ones.
     */
    bundles?: string[];
    /**
     * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
     */
    log?: string;
    /**
     * Deadline.
     */
    timeout?: number | string;
  };
  /**
   * Ask the node's Gogo shell (telnet, as Liferay's own container probe does) until no OSGi component is unsatisfied: `scr:list` finds Declarative Services components in the `unsatisfied reference` or `failed activation` state (`unsatisfied configuration` is how a component waiting for optional configuration rests, and is not counted); `dm wtf` finds Dependency Manager components with missing dependencies. Needs `module.framework.properties.osgi.console=localhost:<port>` on the node and `telnet` installed there (preflight checks the program).
   */
  osgi?: {
    /**
     * Use this gate.
     */
    enabled?: boolean;
    /**
     * The Gogo shell port on the node (`module.framework.properties.osgi.console`), reached on 127.0.0.1.
     */
    port?: number;
    /**
     * The diagnostics to run; each must report nothing unsatisfied.
     *
     * @minItems 1
     */
    commands?: ['scr:list' | 'dm wtf', ...('scr:list' | 'dm wtf')[]];
    /**
     * Component names (or `dm wtf` lines) containing one of these texts are not counted: components known to stay unsatisfied on this installation.
     */
    ignore?: string[];
    /**
     * Time between attempts (independent of the deadline).
     */
    interval?: number | string;
    /**
     * Time one attempt may take (connecting, the diagnostics and their complete answer).
     */
    attemptTimeout?: number | string;
    /**
     * Consecutive passing attempts needed: a failing attempt starts the count again (components that are satisfied once and then fail do not pass).
     */
    successes?: number;
    /**
     * Startup deadline: how long the components may take to be satisfied, counted from when this gate begins, independent of the interval.
     */
    timeout?: number | string;
  };
  /**
   * Extra fixed time after every gate has passed, before the node goes back into the load balancer (default none: the gates already wait for the startup line, the HTTP answer and, with Cluster Link, the cluster view). The plan shows it on every node.
   */
  settle?: number | string;
  /**
   * URLs requested once the node is healthy, before it goes back into the load balancer (first requests after a start are slow).
   */
  warmup?: {
    /**
     * URLs, requested from the node with curl.
     */
    urls?: TemplateString[];
    /**
     * Deadline for all of them.
     */
    timeout?: number | string;
  };
  /**
   * Typical time from the start command to healthy, used for the plan's duration estimate (the start command and the health gates share it; a stop is expected to take at most this long). Default 3m, or the startup marker's deadline when that is shorter.
   */
  expectedStartTime?: number | string;
}
/**
 * Commands or webhooks at points of the run. A hook's failure fails the run unless it has `continueOnError`.
 */
export interface Hooks {
  beforeRun?: HookList;
  afterRun?: HookList1;
  beforeBatch?: HookList2;
  afterBatch?: HookList3;
  beforeNode?: HookList4;
  afterNode?: HookList5;
  onFailure?: HookList6;
}
/**
 * A command (`run`) or an HTTP call (`webhook`).
 */
export interface Hook {
  /**
   * Label shown in the plan and progress.
   */
  name?: string;
  /**
   * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  run?: string;
  /**
   * Where `run` runs: `local` (this machine), `node` (the node, for per-node hooks; every node for run/batch hooks) or `lb` (the load balancer host; with several `instances`, the first one's).
   */
  on?: 'local' | 'node' | 'lb';
  /**
   * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  webhook?: string;
  /**
   * HTTP method of the webhook.
   */
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /**
   * HTTP headers of the webhook.
   */
  headers?: {
    [k: string]: TemplateString;
  };
  /**
   * A string that may contain `{{ var }}` templates (playbook vars, per-node vars, and the built-ins `node`, `host`, `liferayHome`, `tomcatHome`, `member`, `httpPort`).
   */
  body?: string;
  /**
   * Deadline.
   */
  timeout?: number | string;
  /**
   * A failure of this hook is reported but does not fail the run.
   */
  continueOnError?: boolean;
}
