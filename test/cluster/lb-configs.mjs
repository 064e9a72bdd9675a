// Configuration files of the real load balancers the end-to-end tests and the demo start: Apache
// httpd with mod_proxy_balancer (balancer-manager) or with mod_jk (status worker, AJP to Tomcat).
// Each instance gets its own ServerRoot-like directory: config, pid, logs, shared memory, loopback
// listener. Plain Node.js ESM (the demo imports it too).
import { join } from 'node:path';

/** Where Debian's apache2 keeps its modules. */
export const APACHE_MODULES = '/usr/lib/apache2/modules';

/**
 * The part every Apache instance shares: the event MPM with a small fixed size (two child
 * processes, so state changes must travel through shared memory as in production), its own
 * pid/log/runtime files in `dir`, one loopback listener.
 */
function apacheCommon(o, modules) {
  return [
    `# lrroll test load balancer (${o.kind}); started as: apache2 -f ${join(o.dir, 'httpd.conf')} -DFOREGROUND`,
    `ServerRoot ${o.dir}`,
    `DefaultRuntimeDir ${o.dir}`,
    `PidFile ${join(o.dir, 'httpd.pid')}`,
    `Mutex file:${o.dir} default`,
    `ServerName ${o.host}`,
    `Listen ${o.host}:${o.port}`,
    ...['mpm_event', 'authz_core', 'authz_host', ...modules].map(
      (m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`,
    ),
    'User www-data',
    'Group www-data',
    'StartServers 2',
    'ServerLimit 2',
    'ThreadsPerChild 32',
    'MaxRequestWorkers 64',
    'MinSpareThreads 16',
    'MaxSpareThreads 64',
    'KeepAlive Off',
    'Timeout 30',
    `ErrorLog ${join(o.dir, 'error.log')}`,
    'LogLevel warn',
    `LogFormat "%h %t \\"%r\\" %>s %D" short`,
    `CustomLog ${join(o.dir, 'access.log')} short`,
  ];
}

/**
 * Apache mod_proxy_balancer in front of the nodes' HTTP connectors: members routed by jvmRoute
 * (`route=<node>`, sticky on JSESSIONID), `/balancer-manager` open to loopback only.
 * `o`: { dir, host, port, nodes: [{ name, address, httpPort }], balancer = 'liferay' }.
 */
export function apacheBalancerConfig(o) {
  const balancer = o.balancer ?? 'liferay';
  return [
    ...apacheCommon({ ...o, kind: 'mod_proxy_balancer' }, [
      'proxy',
      'proxy_http',
      'proxy_balancer',
      'lbmethod_byrequests',
      'slotmem_shm',
      'status',
    ]),
    `<Proxy "balancer://${balancer}">`,
    // retry=2: a member that refused a connection is tried again after 2 s (the default is 60 s).
    // ttl=15: a pooled connection idle that long is not reused. Tomcat closes a keep-alive connection
    // after 20 s idle (connectionTimeout); without a ttl below that, a request sent on a connection
    // at the moment Tomcat closes it gets 502 (AH01102), the race any proxy in front of a keep-alive
    // backend has. A roll makes it likelier: the nodes left in rotation take more requests at once
    // and reuse connections idle since the last peak.
    ...o.nodes.map(
      (n) =>
        `  BalancerMember "http://${n.address}:${n.httpPort}" route=${n.name} retry=2 connectiontimeout=2 timeout=30 ttl=15`,
    ),
    '  ProxySet stickysession=JSESSIONID|jsessionid lbmethod=byrequests',
    '</Proxy>',
    'ProxyPass "/balancer-manager" "!"',
    `ProxyPass "/" "balancer://${balancer}/"`,
    `ProxyPassReverse "/" "balancer://${balancer}/"`,
    '<Location "/balancer-manager">',
    '  SetHandler balancer-manager',
    '  Require ip 127.0.0.0/8',
    '</Location>',
    '',
  ].join('\n');
}

/**
 * Apache with mod_jk: one lb worker over the nodes' AJP connectors (worker name = jvmRoute, so
 * sticky sessions follow the JSESSIONID suffix) and a status worker on `/jkstatus` (loopback only).
 * `o`: { dir, host, port, balancer = 'liferay' }.
 */
export function modJkConfig(o) {
  const balancer = o.balancer ?? 'liferay';
  return [
    ...apacheCommon({ ...o, kind: 'mod_jk' }, ['jk']),
    `JkWorkersFile ${join(o.dir, 'workers.properties')}`,
    `JkShmFile ${join(o.dir, 'jk.shm')}`,
    `JkLogFile ${join(o.dir, 'mod_jk.log')}`,
    'JkLogLevel info',
    `JkMount /* ${balancer}`,
    'JkUnMount /jkstatus* ' + balancer,
    '<Location "/jkstatus">',
    '  JkMount jkstatus',
    '  Require ip 127.0.0.0/8',
    '</Location>',
    '',
  ].join('\n');
}

/**
 * mod_jk's workers.properties: an ajp13 worker per node (with the AJP secret Tomcat requires),
 * the lb worker over them, and the status worker (not read-only: lrroll updates activations).
 * `o`: { nodes: [{ name, address, ajpPort }], secret, balancer = 'liferay' }.
 */
export function modJkWorkers(o) {
  const balancer = o.balancer ?? 'liferay';
  return [
    `worker.list=${balancer},jkstatus`,
    ...o.nodes.flatMap((n) => [
      `worker.${n.name}.type=ajp13`,
      `worker.${n.name}.host=${n.address}`,
      `worker.${n.name}.port=${n.ajpPort}`,
      `worker.${n.name}.secret=${o.secret}`,
      `worker.${n.name}.socket_connect_timeout=2000`,
      `worker.${n.name}.ping_mode=C`,
      `worker.${n.name}.ping_timeout=2000`,
    ]),
    `worker.${balancer}.type=lb`,
    `worker.${balancer}.balance_workers=${o.nodes.map((n) => n.name).join(',')}`,
    `worker.${balancer}.sticky_session=true`,
    // A member that failed is tried again after 5 s (the default is 60 s).
    `worker.${balancer}.recover_time=5`,
    'worker.jkstatus.type=status',
    '',
  ].join('\n');
}

/**
 * HAProxy in front of the nodes' HTTP connectors: sticky on a JSESSIONID prefix, health checks
 * on /c/portal/layout, an admin socket (`level admin`) for lrroll.
 * `o`: { socket, host = '127.0.0.1', port, nodes: [{ name, address, httpPort }], backend = 'liferay',
 * checks = 'inter 300ms fall 2 rise 2' (the servers' health-check timing) }.
 */
export function haproxyConfig(o) {
  return [
    'global',
    `  stats socket ${o.socket} mode 600 level admin`,
    '  stats timeout 30s',
    '  maxconn 4000',
    '',
    'defaults',
    '  mode http',
    '  option dontlognull',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    '  timeout http-keep-alive 5s',
    '  timeout queue 10s',
    '  timeout check 2s',
    '',
    'frontend www',
    `  bind ${o.host ?? '127.0.0.1'}:${o.port}`,
    `  default_backend ${o.backend ?? 'liferay'}`,
    '',
    `backend ${o.backend ?? 'liferay'}`,
    '  balance roundrobin',
    '  cookie JSESSIONID prefix nocache',
    '  option httpchk GET /c/portal/layout',
    '  http-check expect status 200,302',
    `  default-server ${o.checks ?? 'inter 300ms fall 2 rise 2'}`,
    '  option redispatch',
    '  retries 3',
    ...o.nodes.map((n) => `  server ${n.name} ${n.address}:${n.httpPort} check cookie ${n.name}`),
    '',
  ].join('\n');
}
