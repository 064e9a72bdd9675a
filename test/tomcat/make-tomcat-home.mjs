// Creates the home of a real Tomcat test node: Debian's tomcat10 as CATALINA_HOME
// (/usr/share/tomcat10), this node's own CATALINA_BASE under <home>/tomcat (own ports,
// logs/catalina.out, webapps/ROOT = the test portal in ./webapp), started and stopped by
// <home>/tomcat/bin/catalina.sh — Tomcat's own script, as in a Liferay bundle.
//
// Plain Node.js ESM, no dependencies: the test harness and scripts/demo.mjs both use it.
// `home` is where the files are written; `seenAs` is the path the node itself sees (the harness
// bind-mounts each home on /opt/liferay in the node's mount namespace), baked into the scripts.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Debian's tomcat10 package. */
export const CATALINA_HOME = '/usr/share/tomcat10';
/** The test portal's build number as the untouched home.jsp shows it (`(build 1)`). */
export const INITIAL_BUILD = 1;

/** What is missing on this machine to run real Tomcat nodes, or null. */
export function tomcatMissing() {
  const missing = [];
  if (!existsSync(join(CATALINA_HOME, 'bin/catalina.sh'))) missing.push(`${CATALINA_HOME}/bin/catalina.sh (tomcat10)`);
  if (!existsSync(join(CATALINA_HOME, 'etc/web.xml')) && !existsSync('/etc/tomcat10/web.xml'))
    missing.push('the default conf/web.xml (tomcat10)');
  return missing.length ? missing : null;
}

const xmlAttr = (v) => String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The <Cluster> of server.xml: DeltaManager (every session on every node) over Tribes with static
 * membership (TCP to the listed members, no multicast), synchronous replication (send options 6:
 * the response leaves after the other nodes acknowledged the change) and JvmRouteBinderValve (a
 * session that fails over gets the new node's route, so the load balancer sticks to that node).
 */
export function clusterXml(o) {
  const id = (i) => `{${[...Array(15).fill(0), i].join(',')}}`;
  const self = o.members.findIndex((m) => m.node === o.node);
  const members = o.members
    .filter((m) => m.node !== o.node)
    .map(
      (m) =>
        `          <Member className="org.apache.catalina.tribes.membership.StaticMember" host="` +
        `${xmlAttr(m.host)}" port="${m.clusterPort}" uniqueId="${id(o.members.indexOf(m) + 1)}"/>`,
    );
  return `<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelSendOptions="6">
        <Manager className="org.apache.catalina.ha.session.DeltaManager" expireSessionsOnShutdown="false" notifyListenersOnReplication="true" stateTransferTimeout="30"/>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService" connectTimeout="500" expirationTime="3000" pingInterval="500">
          <LocalMember className="org.apache.catalina.tribes.membership.StaticMember" uniqueId="${id(self + 1)}"/>
${members.join('\n')}
          </Membership>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver" address="${xmlAttr(o.host)}" port="${o.clusterPort}" autoBind="1" selectorTimeout="100" maxThreads="6"/>
          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
          </Sender>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpPingInterceptor" staticOnly="true"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
        </Channel>
        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>
        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
      </Cluster>`;
}

/**
 * conf/server.xml: HTTP and AJP connectors and the shutdown port on the node's own address; jvmRoute = node name; the
 * <Cluster> when replicating.
 */
export function serverXml(o) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- lrroll test node ${o.node}: CATALINA_HOME=${CATALINA_HOME}, CATALINA_BASE=${o.seenAs}/tomcat; session replication ${o.replication ? 'on' : 'off'} -->
<Server port="${o.shutdownPort}" address="${xmlAttr(o.host)}" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector protocol="HTTP/1.1" address="${xmlAttr(o.host)}" port="${o.httpPort}" connectionTimeout="20000" maxThreads="40"/>
    <Connector protocol="AJP/1.3" address="${xmlAttr(o.host)}" port="${o.ajpPort}" secret="${xmlAttr(o.ajpSecret)}" maxThreads="40"/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute="${xmlAttr(o.node)}">
      ${o.replication ? clusterXml(o) : '<!-- no <Cluster>: sessions live only on the node that created them -->'}
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`;
}

/** Writes conf/server.xml again (e.g. to turn replication on or off before the next start). */
export function writeServerXml(options) {
  const o = resolveOptions(options);
  writeFileSync(join(o.home, 'tomcat/conf/server.xml'), serverXml(o));
}

function resolveOptions(options) {
  for (const k of ['home', 'node', 'host', 'httpPort', 'ajpPort', 'shutdownPort'])
    if (options[k] === undefined) throw new Error(`makeTomcatHome: ${k} is required`);
  return {
    seenAs: options.home,
    clusterPort: 4000,
    members: [],
    replication: false,
    heapMb: 128,
    ajpSecret: 'lrroll-test-ajp',
    ...options,
  };
}

const CATALINA_PROPERTIES = `# Tomcat's defaults this node needs; JAR scanning is off (nothing to find, and it costs seconds per start).
package.access=sun.,org.apache.catalina.,org.apache.coyote.,org.apache.jasper.,org.apache.tomcat.
package.definition=sun.,java.,org.apache.catalina.,org.apache.coyote.,org.apache.jasper.,org.apache.naming.,org.apache.tomcat.
common.loader="\${catalina.base}/lib","\${catalina.base}/lib/*.jar","\${catalina.home}/lib","\${catalina.home}/lib/*.jar"
tomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar
tomcat.util.buf.StringCache.byte.enabled=true
`;

const LOGGING_PROPERTIES = `# Everything to the console: catalina.sh start appends it to logs/catalina.out, which lrroll's gates read.
handlers = java.util.logging.ConsoleHandler
.handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = FINE
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
java.util.logging.ConsoleHandler.encoding = UTF-8
`;

const CONTEXT_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Context>
  <WatchedResource>WEB-INF/web.xml</WatchedResource>
  <JarScanner scanClassPath="false" scanManifest="false"/>
</Context>
`;

/** Creates the node's home; returns its paths. */
export function makeTomcatHome(options) {
  const o = resolveOptions(options);
  const base = join(o.home, 'tomcat');
  for (const d of ['bin', 'conf', 'lib', 'logs', 'temp', 'work', 'webapps'])
    mkdirSync(join(base, d), { recursive: true });
  for (const d of ['deploy', 'logs', 'osgi/configs', 'osgi/modules', 'data'])
    mkdirSync(join(o.home, d), { recursive: true });
  writeFileSync(join(o.home, '.liferay-home'), '');
  writeFileSync(join(o.home, 'portal-ext.properties'), `# test node ${o.node}\n`);
  writeFileSync(join(base, 'conf/server.xml'), serverXml(o));
  writeFileSync(join(base, 'conf/catalina.properties'), CATALINA_PROPERTIES);
  writeFileSync(join(base, 'conf/logging.properties'), LOGGING_PROPERTIES);
  writeFileSync(join(base, 'conf/context.xml'), CONTEXT_XML);
  const defaultWebXml = existsSync(join(CATALINA_HOME, 'etc/web.xml'))
    ? join(CATALINA_HOME, 'etc/web.xml')
    : '/etc/tomcat10/web.xml';
  writeFileSync(join(base, 'conf/web.xml'), readFileSync(defaultWebXml));
  cpSync(join(HERE, 'webapp'), join(base, 'webapps/ROOT'), { recursive: true });
  const catalina = join(base, 'bin/catalina.sh');
  writeFileSync(
    catalina,
    `#!/bin/sh
# ${o.node}: Tomcat's own catalina.sh with this node's CATALINA_BASE (start | stop [n] [-force] | run | version).
CATALINA_HOME=${CATALINA_HOME}
CATALINA_BASE=${o.seenAs}/tomcat
export CATALINA_HOME CATALINA_BASE
exec "$CATALINA_HOME/bin/catalina.sh" "$@"
`,
  );
  chmodSync(catalina, 0o755);
  const setenv = join(base, 'bin/setenv.sh');
  writeFileSync(
    setenv,
    `# Sourced by catalina.sh. A small JVM: the test machine runs several nodes at once.
CATALINA_PID="\${CATALINA_PID:-${o.seenAs}/liferay.pid}"
JAVA_OPTS="$JAVA_OPTS -Xms32m -Xmx${o.heapMb}m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true -Djava.security.egd=file:/dev/./urandom -Dlrroll.node=${o.node}"
`,
  );
  chmodSync(setenv, 0o755);
  return {
    home: o.home,
    base,
    catalina,
    setenv,
    log: join(base, 'logs/catalina.out'),
    pidFile: join(o.home, 'liferay.pid'),
    homeJsp: join(base, 'webapps/ROOT/home.jsp'),
  };
}
