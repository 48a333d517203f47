#!/usr/bin/env node
// STAND-IN for SSO Connect, used ONLY to check the browser driver (tests/e2e/idp_login.mjs)
// against the demo IdP. It is not SSO Connect and checks almost nothing: no signature check,
// no replay cache, no sealing. HTTPS with a self-signed certificate, like the demo service.
//
//   GET  /sso/login?key=…&redirect_uri=…&state=…[&mode=acs-error|token-in-url]
//        → 302 to the IdP with an AuthnRequest (HTTP-Redirect binding), RelayState = transaction
//        (400 error page with a reference number when redirect_uri is not loopback)
//   POST /saml/acs → InResponseTo must be the transaction's request id, else a 400 error page;
//        then a page whose script auto-POSTs the form field `token` to redirect_uri
//        (mode=acs-error: always the 400 page; mode=token-in-url: the form uses GET, which a
//        real SSO Connect must never do; the driver's --urls-out record shows it)
//
//   node fake_sso.mjs --port P --tls-key K --tls-cert C --idp-sso-url URL --sp-entity-id ID
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parseArgs } from 'node:util';
import { authnRequestUrl } from './authn_request.mjs';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-cert': { type: 'string' },
    'idp-sso-url': { type: 'string' }, 'sp-entity-id': { type: 'string' },
  },
});
const acsUrl = `https://127.0.0.1:${opt.port}/saml/acs`;
const txns = new Map(); // RelayState → { requestId, redirectUri, state, mode }

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function errorPage(res, status, why) {
  const ref = randomInt(100000, 999999);
  console.error(`fake_sso: error ${ref}: ${why}`);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><title>Login failed</title><h1>Login failed</h1><p>Reference: ${ref}</p>`);
}
function isLoopback(u) {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(x.hostname) && x.port !== '';
  } catch {
    return false;
  }
}

const server = https.createServer({ key: readFileSync(opt['tls-key']), cert: readFileSync(opt['tls-cert']) }, (req, res) => {
  const url = new URL(req.url, acsUrl);
  let body = '';
  req.on('data', (c) => { body += c; if (body.length > 1e6) req.destroy(); });
  req.on('end', () => {
    if (req.method === 'GET' && url.pathname === '/sso/login') {
      const redirectUri = url.searchParams.get('redirect_uri');
      if (!url.searchParams.get('key') || !isLoopback(redirectUri)) return errorPage(res, 400, 'bad key or redirect_uri');
      const relayState = randomBytes(16).toString('base64url');
      const { id, url: to } = authnRequestUrl({
        ssoUrl: opt['idp-sso-url'], spEntityId: opt['sp-entity-id'], acsUrl, relayState,
      });
      txns.set(relayState, { requestId: id, redirectUri, state: url.searchParams.get('state') || '', mode: url.searchParams.get('mode') || '' });
      res.writeHead(302, { Location: to, 'Cache-Control': 'no-store' });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/saml/acs') {
      const form = new URLSearchParams(body);
      const txn = txns.get(form.get('RelayState') || '');
      if (!txn) return errorPage(res, 400, 'unknown RelayState');
      txns.delete(form.get('RelayState'));
      if (txn.mode === 'acs-error') return errorPage(res, 400, 'mode=acs-error');
      const xml = Buffer.from(form.get('SAMLResponse') || '', 'base64').toString('utf8');
      const inResponseTo = (xml.match(/<samlp:Response [^>]*InResponseTo="([^"]*)"/) || [])[1];
      if (inResponseTo !== txn.requestId) return errorPage(res, 400, 'InResponseTo does not match');
      const attr = (n) => (xml.match(new RegExp(`<saml:Attribute Name="${n}"[^>]*>\\s*<saml:AttributeValue[^>]*>([^<]*)<`)) || [])[1] || '';
      const email = attr('Email').trim().toLowerCase();
      const token = JSON.stringify({
        user: email, email, first_name: attr('First'), last_name: attr('Last'),
        password: 'STANDIN-' + randomBytes(18).toString('base64url'), new_user: false,
        session_id: randomBytes(8).toString('hex'), issued_at: Math.floor(Date.now() / 1000), state: txn.state,
      });
      const method = txn.mode === 'token-in-url' ? 'get' : 'post';
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(`<!doctype html><html><body onload="document.forms[0].submit()">` +
        `<form method="${method}" action="${esc(txn.redirectUri)}"><input type="hidden" name="token" value="${esc(token)}">` +
        `<noscript><button type="submit">Continue</button></noscript></form></body></html>`);
    }
    errorPage(res, 404, `no route ${req.method} ${url.pathname}`);
  });
});
server.listen(Number(opt.port), '127.0.0.1', () => console.error(`fake_sso: listening on https://127.0.0.1:${opt.port}`));
