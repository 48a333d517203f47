#!/usr/bin/env node
// Checks the demo IdP (demo/start-idp.sh, npm saml-idp) by hand, without SSO Connect:
// makes an AuthnRequest (HTTP-Redirect binding), opens the IdP's login page in headless
// Chromium, optionally changes the user, presses "Sign in" and captures the HTTP-POST to the
// ACS with a local HTTP server standing in for the SP. Then it checks the SAMLResponse:
// InResponseTo = the request ID, RelayState echoed, Destination/Recipient/Audience, the
// attributes, and both XML signatures (with xmlsec1 against the IdP certificate).
// A stand-in: used only to check the IdP and the driver.
//
//   node tests/e2e/standins/check_idp.mjs --idp http://127.0.0.1:PORT --acs-port PORT2 \
//        --sp-entity-id ID --idp-cert CERT.pem [--sign-key SP_KEY.pem] \
//        [--email E --first F --last L] [--xml-out FILE]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { authnRequestUrl } from './authn_request.mjs';
import { launchBrowser } from '../browser.mjs';

const { values: opt } = parseArgs({
  options: {
    idp: { type: 'string' }, 'acs-port': { type: 'string' }, 'sp-entity-id': { type: 'string' },
    'idp-cert': { type: 'string' }, 'sign-key': { type: 'string' }, 'xml-out': { type: 'string' },
    email: { type: 'string' }, first: { type: 'string' }, last: { type: 'string' },
  },
});
for (const k of ['idp', 'acs-port', 'sp-entity-id', 'idp-cert']) {
  if (!opt[k]) { console.error(`check_idp: --${k} is required`); process.exit(2); }
}

const acsUrl = `http://127.0.0.1:${opt['acs-port']}/saml/acs`;
const relayState = 'txn-' + Date.now() + '-<&"x>';   // characters that need escaping on the way
const req = authnRequestUrl({
  ssoUrl: `${opt.idp}/saml/sso`, spEntityId: opt['sp-entity-id'], acsUrl, relayState,
  signKeyPem: opt['sign-key'] ? readFileSync(opt['sign-key']) : undefined,
});

let captured;
const gotPost = new Promise((resolve) => { captured = resolve; });
const server = http.createServer((rq, rs) => {
  let body = '';
  rq.on('data', (c) => { body += c; });
  rq.on('end', () => {
    if (rq.method === 'POST' && rq.url === '/saml/acs') {
      captured({ contentType: rq.headers['content-type'], form: new URLSearchParams(body) });
    }
    rs.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>captured</p>');
  });
});
await new Promise((r) => server.listen(Number(opt['acs-port']), '127.0.0.1', r));

const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.goto(req.url);
  await page.waitForSelector('#btn-sign-in', { timeout: 10000 });
  const shown = await page.evaluate(() => ({
    userName: document.querySelector('#userName')?.value,
    Email: document.querySelector('#Email')?.value,
    First: document.querySelector('#First')?.value,
    Last: document.querySelector('#Last')?.value,
    requestId: document.querySelector('#requestId')?.textContent,
    relayState: document.querySelector('#relayState')?.textContent,
  }));
  console.log('login page shows:', JSON.stringify(shown));
  check(shown.requestId === req.id, 'login page shows the AuthnRequest ID');
  if (opt.email) { await page.fill('#userName', opt.email); await page.fill('#Email', opt.email); }
  if (opt.first) await page.fill('#First', opt.first);
  if (opt.last) await page.fill('#Last', opt.last);
  const [post] = await Promise.all([
    Promise.race([gotPost, new Promise((_, rej) => setTimeout(() => rej(new Error('no POST to the ACS in 15 s')), 15000))]),
    page.click('#btn-sign-in'),
  ]);
  await page.waitForLoadState('load');

  check(post.contentType === 'application/x-www-form-urlencoded', `ACS POST is a form (${post.contentType})`);
  check(post.form.get('RelayState') === relayState, 'RelayState echoed unchanged');
  const xml = Buffer.from(post.form.get('SAMLResponse') || '', 'base64').toString('utf8');
  if (opt['xml-out']) writeFileSync(opt['xml-out'], xml);
  const unxml = (s) => s && s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]);
  const attr = (re) => unxml((xml.match(re) || [])[1]);
  check(/^<samlp:Response /.test(xml), 'SAMLResponse decodes to a samlp:Response');
  check(attr(/<samlp:Response [^>]*InResponseTo="([^"]*)"/) === req.id, 'Response InResponseTo = request ID');
  check(attr(/<saml:SubjectConfirmationData [^>]*InResponseTo="([^"]*)"/) === req.id, 'SubjectConfirmationData InResponseTo = request ID');
  check(attr(/<samlp:Response [^>]*Destination="([^"]*)"/) === acsUrl, 'Response Destination = ACS URL');
  check(attr(/<saml:SubjectConfirmationData [^>]*Recipient="([^"]*)"/) === acsUrl, 'Recipient = ACS URL');
  check(attr(/<saml:Audience>([^<]*)</) === opt['sp-entity-id'], 'Audience = SP entity id');
  check(attr(/StatusCode Value="([^"]*)"/) === 'urn:oasis:names:tc:SAML:2.0:status:Success', 'status Success');
  const sigs = xml.match(/<Signature /g) || [];
  check(sigs.length === 2, `two signatures (found ${sigs.length})`);
  check(!/rsa-sha1|xmldsig#sha1/.test(xml), 'no SHA-1 signature or digest');
  check((xml.match(/xmldsig-more#rsa-sha256/g) || []).length === 2, 'both signatures RSA-SHA256');
  check((xml.match(/xmlenc#sha256/g) || []).length === 2, 'both digests SHA-256');
  const want = { Email: opt.email || 'demo@example.test', First: opt.first || 'Demo', Last: opt.last || 'User' };
  for (const [name, value] of Object.entries(want)) {
    const v = attr(new RegExp(`<saml:Attribute Name="${name}"[^>]*>\\s*<saml:AttributeValue[^>]*>([^<]*)<`));
    check(v === value, `attribute ${name} = ${value} (got ${v})`);
  }
  check(attr(/<saml:NameID[^>]*>([^<]*)</) === want.Email, 'NameID = e-mail');

  // Both signatures, verified by xmlsec1 against the IdP certificate.
  const dir = mkdtempSync(join(tmpdir(), 'ssoc-check-idp-'));
  try {
    writeFileSync(join(dir, 'r.xml'), xml);
    const verify = (extra, what) => {
      try {
        execFileSync('xmlsec1', ['--verify', '--pubkey-cert-pem', opt['idp-cert'],
          '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:protocol:Response',
          '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
          ...extra, join(dir, 'r.xml')], { stdio: 'pipe' });
        check(true, what);
      } catch (e) {
        check(false, `${what}: ${String(e.stderr).trim().split('\n').pop()}`);
      }
    };
    verify(['--node-xpath', "/*[local-name()='Response']/*[local-name()='Signature']"], 'Response signature verifies (xmlsec1)');
    verify(['--node-xpath', "//*[local-name()='Assertion']/*[local-name()='Signature']"], 'Assertion signature verifies (xmlsec1)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} finally {
  await browser.close();
  server.close();
}
console.log(failures.length ? `check_idp: ${failures.length} check(s) failed` : 'check_idp: all checks passed');
process.exit(failures.length ? 1 : 0);
