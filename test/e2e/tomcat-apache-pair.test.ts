// End to end through an HA pair of real Apache httpd instances with mod_proxy_balancer (two
// balancer-managers, two front ends, the same members) in front of three real Tomcat 10 nodes:
// users come in through both front ends; lrroll drains, stops and enables each node in both
// (see helpers/tomcat-roll.ts for what is checked). Serial "67%": two nodes, then the last.
// The roll with session replication off is the single-instance file's (it does not depend on the instances).
import { sessionRollSuite } from './helpers/tomcat-roll.js';

sessionRollSuite(
  'an Apache pair',
  { nodes: 3, app: 'tomcat', apache: { kind: 'apache', instances: 2 }, serial: '67%', unreplicated: false },
  'apache',
);
