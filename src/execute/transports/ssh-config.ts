import SSHConfig from 'ssh-config';

/** Where and as whom to connect, after applying ~/.ssh/config. */
export interface ResolvedSshTarget {
  /** The name as given (a Host alias or an address). */
  alias: string;
  /** The address to connect to (HostName). */
  hostName: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** ProxyJump hops, outermost first (`user@host:port` each), empty for a direct connection. */
  proxyJump: string[];
  /** Extra known_hosts files from UserKnownHostsFile. */
  knownHostsFiles: string[];
  /** HostKeyAlias, used instead of the host name to look up known_hosts. */
  hostKeyAlias: string | null;
}

/** Explicit settings from the playbook; they win over ~/.ssh/config. */
export interface SshTargetOverrides {
  port: number | null;
  user: string | null;
  identityFile: string | null;
  /** ProxyJump hops (`user@host:port`, comma-separated) that win over ~/.ssh/config; `none` for a direct connection. */
  proxyJump?: string | null;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Resolves a host through ssh_config text (OpenSSH rules: the first value of each keyword wins). */
export function resolveSshTarget(
  configText: string,
  alias: string,
  overrides: SshTargetOverrides,
  env: { home: string; user: string },
): ResolvedSshTarget {
  const computed = configText.trim() === '' ? {} : SSHConfig.parse(configText).compute(alias);
  const get = (key: string): string | string[] | undefined => {
    const hit = Object.keys(computed).find((k) => k.toLowerCase() === key.toLowerCase());
    return hit ? computed[hit] : undefined;
  };
  const hostName = (first(get('HostName')) ?? alias).replace(/%h/g, alias);
  const expand = (p: string): string =>
    p
      .replace(/^~(?=\/|$)/, env.home)
      .replace(/%d/g, env.home)
      .replace(/%u/g, env.user)
      .replace(/%h/g, hostName)
      .replace(/%r/g, overrides.user ?? first(get('User')) ?? env.user);
  const jump = overrides.proxyJump ?? first(get('ProxyJump'));
  return {
    alias,
    hostName,
    port: overrides.port ?? Number(first(get('Port')) ?? 22),
    user: overrides.user ?? first(get('User')) ?? env.user,
    identityFiles: overrides.identityFile ? [expand(overrides.identityFile)] : all(get('IdentityFile')).map(expand),
    proxyJump:
      jump && jump.toLowerCase() !== 'none'
        ? jump
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    knownHostsFiles: all(get('UserKnownHostsFile'))
      .flatMap((v) => v.split(/\s+/))
      .filter(Boolean)
      .map(expand),
    hostKeyAlias: first(get('HostKeyAlias')) ?? null,
  };
}

/** Splits a ProxyJump hop `user@host:port` into its parts. */
export function parseJumpHop(hop: string): { user: string | null; host: string; port: number | null } {
  hop = hop.replace(/^ssh:\/\//, '');
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!m) return { user: null, host: hop, port: null };
  return { user: m[1] ?? null, host: (m[2] ?? hop).replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : null };
}
