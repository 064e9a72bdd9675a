// End to end through one real HAProxy (admin socket) in front of three real Tomcat 10 nodes:
// lrroll drains (`state drain`), takes out (`maint`) and enables each node while logged-in users
// keep working (see helpers/tomcat-roll.ts for what is checked; the HA pair has its own file).
import { sessionRollSuite } from './helpers/tomcat-roll.js';

// The roll with session replication on is the pair file's (it does not depend on the instances).
sessionRollSuite('HAProxy', { nodes: 3, app: 'tomcat', haproxy: true, replicated: false }, 'haproxy');
