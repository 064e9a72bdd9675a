// End to end through a real Apache httpd with mod_jk (AJP to three real Tomcat 10 nodes): lrroll
// drives the status worker (activation DIS, STP, ACT; busy) while logged-in users keep working
// (see helpers/tomcat-roll.ts for what is checked). Two nodes at a time (serial 2).
import { sessionRollSuite } from './helpers/tomcat-roll.js';

sessionRollSuite('Apache mod_jk', { nodes: 3, app: 'tomcat', apache: { kind: 'mod_jk' }, serial: 2 }, 'mod_jk');
