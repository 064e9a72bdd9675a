// End to end through a real Apache httpd with mod_proxy_balancer in front of three real Tomcat 10
// nodes: lrroll drives the balancer-manager (nonce, POST with Referer, Drn, Stop, busy) while
// logged-in users keep working (see helpers/tomcat-roll.ts for what is checked).
import { sessionRollSuite } from './helpers/tomcat-roll.js';

// The roll with session replication on is the pair file's (it does not depend on the instances).
sessionRollSuite(
  'Apache mod_proxy_balancer',
  { nodes: 3, app: 'tomcat', apache: { kind: 'apache' }, replicated: false },
  'apache',
);
