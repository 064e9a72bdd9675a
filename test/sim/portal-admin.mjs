// The part of Liferay's portal the simulated node offers for lrroll's built-in cache clear:
// the login (`/c/portal/login`, with the session's CSRF token `p_auth`) and Server
// Administration's action `/server_admin/edit_server` with `cmd=cacheMulti` ("Clear content
// cached across the cluster"), as Liferay's LoginAction and EditServerMVCActionCommand take them.
// Plain Node.js, no dependencies. See README.md ("Server Administration").
import { randomBytes } from 'node:crypto';

export const SERVER_ADMIN = 'com_liferay_server_admin_web_portlet_ServerAdminPortlet';
const NS = `_${SERVER_ADMIN}_`;

/** Per session: its CSRF token and, once logged in, the user. */
const portalSessions = new Map();

function tokenOf(session) {
  let s = portalSessions.get(session);
  if (!s) {
    s = { token: randomBytes(6).toString('hex'), user: null };
    portalSessions.set(session, s);
  }
  return s;
}

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => resolve(body));
    req.on('error', () => resolve(body));
  });
}

/** A page with the session's token as Liferay puts it in every page (`Liferay.authToken`). */
function withToken(title, token) {
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title><script>Liferay.authToken = '${token}` +
    `';</script></head><body><h1>${title}</h1></body></html>\n`
  );
}

/**
 * Answers the login and Server Administration requests, or returns null for any other path.
 * `ctx`: { session (JSESSIONID), admin: { login, password } | null, onCacheClear(cmd, user) }.
 */
export async function portalAdmin(req, url, ctx) {
  const isLogin = url.pathname === '/c/portal/login';
  const isControlPanel = url.pathname === '/group/control_panel/manage';
  if (!isLogin && !isControlPanel) return null;
  const s = tokenOf(ctx.session);
  const html = { 'Content-Type': 'text/html;charset=UTF-8' };
  const params = new URLSearchParams(req.method === 'POST' ? await readBody(req) : '');
  for (const [k, v] of url.searchParams) if (!params.has(k)) params.set(k, v);
  if (isLogin) {
    if (req.method !== 'POST' || !params.get('login'))
      return { status: 200, headers: html, body: withToken('Sign In', s.token) };
    // AuthTokenUtil.checkCSRFToken, then the credentials
    if (params.get('p_auth') !== s.token)
      return { status: 200, headers: html, body: withToken('Sign In: invalid authentication token', s.token) };
    const admin = ctx.admin;
    if (!admin || params.get('login') !== admin.login || params.get('password') !== admin.password)
      return { status: 200, headers: html, body: withToken('Sign In: authentication failed', s.token) };
    s.user = admin.login;
    return { status: 302, headers: { ...html, Location: '/web/guest/home' }, body: '' };
  }
  if (!s.user) return { status: 302, headers: { ...html, Location: '/c/portal/login' }, body: '' };
  if (req.method !== 'POST' || params.get('p_p_lifecycle') !== '1')
    return { status: 200, headers: html, body: withToken('Server Administration', s.token) };
  const action = params.get(`${NS}javax.portlet.action`) ?? params.get(`${NS}jakarta.portlet.action`);
  if (params.get('p_auth') !== s.token || action !== '/server_admin/edit_server')
    return {
      status: 200,
      headers: html,
      body: withToken('Server Administration: you do not have the required permissions', s.token),
    };
  const cmd = params.get(`${NS}cmd`) ?? '';
  ctx.onCacheClear(cmd, s.user);
  return {
    status: 302,
    headers: { ...html, Location: params.get(`${NS}redirect`) || '/group/control_panel/manage' },
    body: '',
  };
}
