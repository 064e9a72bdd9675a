// End to end through one real HAProxy (admin socket) in front of three real Tomcat 10 nodes:
// lrroll drains (`state drain`), takes out (`maint`) and enables each node while logged-in users
// keep working (see helpers/tomcat-roll.ts for what is checked; the HA pair has its own file).
import { sessionRollSuite } from './helpers/tomcat-roll.js';

sessionRollSuite('HAProxy', { nodes: 3, app: 'tomcat', haproxy: true }, 'haproxy');
