import { ApacheBalancerDriver } from './apache.js';
import { CommandDriver } from './command.js';
import type { LbDriver, LbDriverContext } from './driver.js';
import { HaproxyDriver } from './haproxy.js';
import { ModJkDriver } from './mod-jk.js';

/** The driver for the plan's load balancer: null for `none`; for `command`, the driver that runs the playbook's templates per member. */
export function createLbDriver(ctx: LbDriverContext): LbDriver | null {
  const lb = ctx.lb;
  switch (lb.type) {
    case 'none':
      return null;
    case 'haproxy':
      // Without `via` the socket is opened from this machine; with it, socat runs on the LB host.
      return new HaproxyDriver({ socket: lb.endpoint, backend: lb.pool, transport: lb.via ? ctx.transport : null, become: lb.via?.become ?? false });
    case 'apache':
      return new ApacheBalancerDriver({ url: withSecrets(lb.endpoint, ctx.secrets ?? {}), balancer: lb.pool });
    case 'mod_jk':
      return new ModJkDriver({ url: withSecrets(lb.endpoint, ctx.secrets ?? {}), balancer: lb.pool });
    case 'command':
      return new CommandDriver({ lb, transport: ctx.transport, ...(ctx.secrets ? { secrets: ctx.secrets } : {}) });
  }
}

/** Fills `${NAME}` references (a password kept out of the playbook) at the last moment; a value is percent-encoded for the URL. */
function withSecrets(url: string, secrets: Readonly<Record<string, string>>): string {
  return url.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => (secrets[name] === undefined ? whole : encodeURIComponent(secrets[name])));
}
