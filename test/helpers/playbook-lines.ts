// Pieces of the small playbooks the unit tests write inline, as lines to spread into `[...].join('\n')`.

/** One HAProxy in front (its admin socket, backend `liferay`) and a plain restart as the change. */
export const HAPROXY_RESTART_LINES: readonly string[] = [
  'loadBalancer:',
  '  type: haproxy',
  '  socket: /run/haproxy/admin.sock',
  '  backend: liferay',
  'change:',
  '  type: restart',
];
