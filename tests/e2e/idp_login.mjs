#!/usr/bin/env node
// Browser driver of the SSO Connect end-to-end tests: logs in through the demo IdP (npm
// saml-idp) in headless Chromium and follows the whole chain
//
//   URL (SSO Connect /sso/login?…) → 302 to the IdP → IdP login page (filled in, "Sign in")
//   → IdP page auto-POSTs the SAMLResponse to SSO Connect's /saml/acs → SSO Connect's page
//   auto-POSTs the form field `token` to the redirect_uri → the client's final page.
//
// It ends when the final page (the response to the POST that carries a form field `token`) has
// loaded: exit 0. Any error page (HTTP status >= 400, or the IdP's own error page), a failed
// navigation, or no final page within the timeout: exit 1 with a one-line reason on stderr.
// It never prints page bodies or form values (they could hold the token).
//
//   node tests/e2e/idp_login.mjs --url URL [--email E --first F --last L] [--screenshot FILE]
//        [--urls-out FILE] [--expect-status N] [--expect-text T] [--timeout SECONDS]
//   node tests/e2e/idp_login.mjs URL        # as $BROWSER: one positional argument
//
// Without --email/--first/--last the IdP page is submitted as it is shown (the demo user).
// --email sets both the Subject NameID field and the "Email" attribute field.
// Environment (used when the option is not given, e.g. when called as $BROWSER):
//   SSOC_E2E_EMAIL, SSOC_E2E_FIRST, SSOC_E2E_LAST, SSOC_E2E_SCREENSHOT, SSOC_E2E_URLS_OUT,
//   SSOC_E2E_EXPECT_STATUS, SSOC_E2E_EXPECT_TEXT, SSOC_E2E_TIMEOUT (seconds),
//   SSOC_E2E_CHROMIUM (default /usr/bin/chromium).
//
// --expect-status N / --expect-text T: the run stops at the first error page or at the final
// page, whichever comes first, and passes (exit 0) only when that page has status N and/or its
// text contains T. Use it to check an error page (e.g. --expect-status 400 --expect-text
// "Reference"). Without them an error page is a failure.
//
// --urls-out FILE: every URL the browser requested (documents, redirects, form posts,
// sub-resources), one per line in order, written when the run ends (also on failure); a test
// checks that the token never appears in one.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser } from './browser.mjs';

const USAGE =
  'usage: idp_login.mjs --url URL [--email E --first F --last L] [--screenshot FILE] ' +
  '[--urls-out FILE] [--expect-status N] [--expect-text T] [--timeout SECONDS] | idp_login.mjs URL';

function fail(reason, code = 1) {
  process.stderr.write(`idp_login: ${reason.replace(/\s+/g, ' ').slice(0, 300)}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      email: { type: 'string' },
      first: { type: 'string' },
      last: { type: 'string' },
      screenshot: { type: 'string' },
      'urls-out': { type: 'string' },
      'expect-status': { type: 'string' },
      'expect-text': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  fail(`${e.message}; ${USAGE}`, 2);
}
const { values: o, positionals } = parsed;
if (o.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}
if (positionals.length > 1 || (positionals.length === 1 && o.url)) fail(USAGE, 2);
const env = process.env;
const opt = {
  url: o.url ?? positionals[0],
  email: o.email ?? env.SSOC_E2E_EMAIL,
  first: o.first ?? env.SSOC_E2E_FIRST,
  last: o.last ?? env.SSOC_E2E_LAST,
  screenshot: o.screenshot ?? env.SSOC_E2E_SCREENSHOT,
  urlsOut: o['urls-out'] ?? env.SSOC_E2E_URLS_OUT,
  expectStatus: o['expect-status'] ?? env.SSOC_E2E_EXPECT_STATUS,
  expectText: o['expect-text'] ?? env.SSOC_E2E_EXPECT_TEXT,
  timeoutMs: 1000 * Number(o.timeout ?? env.SSOC_E2E_TIMEOUT ?? 30),
};
if (!opt.url) fail(USAGE, 2);
try {
  new URL(opt.url);
} catch {
  fail('--url is not a URL', 2);
}
if (opt.expectStatus !== undefined && !/^\d{3}$/.test(opt.expectStatus)) fail('--expect-status wants a 3-digit status', 2);
if (!(opt.timeoutMs > 0)) fail('--timeout wants a positive number of seconds', 2);
const expecting = opt.expectStatus !== undefined || opt.expectText !== undefined;

// Where a URL is shown in a message: scheme, host and path only (queries can be long, and are
// none of a reason's business).
function where(u) {
  try {
    const x = new URL(u);
    return `${x.origin}${x.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function hasTokenField(postData) {
  if (!postData) return false;
  if (postData.startsWith('--')) return /\r\nContent-Disposition: form-data; name="token"\r\n/i.test(postData); // multipart
  try {
    return new URLSearchParams(postData).has('token');
  } catch {
    return false;
  }
}

const urls = [];
let browser;
let page;
let settled = false;
let finish; // resolves with { ok, reason } once
const outcome = new Promise((resolve) => {
  finish = (r) => {
    if (!settled) {
      settled = true;
      resolve(r);
    }
  };
});

// The page a run stops at (error page or final page): decides the outcome once it has loaded.
// Called from the 'response' event, before the new document commits, so the next 'load' of
// the page at this URL is this document's (page.waitForLoadState would see the old document).
function loaded(response) {
  return new Promise((resolve) => {
    const onLoad = () => {
      if (page.url() !== response.url()) return;
      clearTimeout(timer);
      page.off('load', onLoad);
      resolve();
    };
    const timer = setTimeout(() => {
      page.off('load', onLoad);
      resolve(); // judged on what is there
    }, 10000);
    page.on('load', onLoad);
  });
}

async function stopAt(response, kind) {
  const status = response.status();
  await loaded(response);
  if (!expecting) {
    if (kind === 'final') {
      if (status >= 200 && status < 300) return finish({ ok: true });
      return finish({ ok: false, reason: `final page ${where(response.url())} answered HTTP ${status}` });
    }
    return finish({ ok: false, reason: `error page: HTTP ${status} at ${where(response.url())}` });
  }
  if (opt.expectStatus !== undefined && status !== Number(opt.expectStatus)) {
    return finish({
      ok: false,
      reason: `expected HTTP ${opt.expectStatus}, got HTTP ${status} at ${where(response.url())}` +
        (kind === 'final' ? ' (the login was delivered to the client)' : ''),
    });
  }
  if (opt.expectText !== undefined) {
    let text = '';
    try {
      text = await page.evaluate(() => (document.body ? document.body.innerText : document.documentElement.textContent) || '');
    } catch {
      /* navigated away meanwhile */
    }
    if (!text.includes(opt.expectText)) {
      return finish({ ok: false, reason: `the page at ${where(response.url())} (HTTP ${status}) does not contain the expected text` });
    }
  }
  return finish({ ok: true });
}

let idpPagesSeen = 0;
async function onLoad() {
  if (settled) return;
  try {
    // saml-idp's login page: the form posting to /signin with the "Sign in" button.
    const form = await page.$('form[action$="/signin"]:has(#btn-sign-in)');
    if (form) {
      idpPagesSeen += 1;
      if (idpPagesSeen > 1) return finish({ ok: false, reason: 'the IdP login page came back a second time' });
      const fill = async (selectors, value) => {
        if (value === undefined) return;
        let done = false;
        for (const s of selectors) {
          if (await page.$(s)) {
            await page.fill(s, value);
            done = true;
          }
        }
        if (!done) throw new Error(`the IdP login page has no field ${selectors.join(' or ')}`);
      };
      await fill(['#userName'], opt.email);
      await fill(['#Email', '#email'], opt.email);
      await fill(['#First', '#firstName'], opt.first);
      await fill(['#Last', '#lastName'], opt.last);
      await page.click('#btn-sign-in', { noWaitAfter: true });
      return;
    }
    // saml-idp's error page (it answers 200 with it): its heading is the IdP's message.
    if (await page.$('#btn-return')) {
      const h1 = await page.$eval('h1', (e) => e.textContent).catch(() => '');
      return finish({ ok: false, reason: `IdP error page: ${String(h1).trim()}` });
    }
  } catch (e) {
    // "Execution context was destroyed" etc.: the page moved on while being looked at.
    if (!/context was destroyed|navigat|Target closed|has been closed/i.test(e.message)) {
      finish({ ok: false, reason: `on the IdP page: ${e.message.split('\n')[0]}` });
    }
  }
}

let current = opt.url;
async function run() {
  browser = await launchBrowser({ ignoreHTTPSErrors: true });
  const { context } = browser;
  context.on('request', (r) => urls.push(r.url()));
  // saml-idp's stylesheet imports a web font from Google; the network is closed, so refuse it
  // at once instead of letting it time out (it is still in the URL record).
  await context.route(/^https?:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
  page = await context.newPage();
  // The final request is the top-level form POST that carries a field named `token`.
  const finalRequests = new WeakSet();
  const isFinal = (r) => {
    for (let x = r; x; x = x.redirectedFrom()) if (finalRequests.has(x)) return true;
    return false;
  };
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame() && r.method() === 'POST' && hasTokenField(r.postData())) {
      finalRequests.add(r);
    }
  });
  page.on('response', (resp) => {
    const r = resp.request();
    if (settled || !r.isNavigationRequest() || r.frame() !== page.mainFrame()) return;
    current = resp.url();
    const status = resp.status();
    if (status >= 300 && status < 400) return; // redirect: followed by the browser
    if (isFinal(r)) return void stopAt(resp, 'final'); // (also after the client's redirects)
    if (status >= 400) return void stopAt(resp, 'error');
  });
  page.on('requestfailed', (r) => {
    if (settled || !r.isNavigationRequest() || r.frame() !== page.mainFrame()) return;
    const err = r.failure()?.errorText || 'failed';
    if (/ERR_ABORTED/.test(err)) return; // replaced by a newer navigation (auto-submitted forms)
    finish({ ok: false, reason: `${r.method()} ${where(r.url())} failed: ${err}` });
  });
  page.on('load', () => void onLoad());
  page.on('crash', () => finish({ ok: false, reason: 'the page crashed' }));
  page.goto(opt.url, { timeout: opt.timeoutMs }).catch((e) => {
    if (!/ERR_ABORTED|interrupted by another navigation|frame was detached/i.test(e.message)) {
      finish({ ok: false, reason: `opening ${where(opt.url)}: ${e.message.split('\n')[0]}` });
    }
  });
}

const timer = setTimeout(
  () => finish({ ok: false, reason: `timeout after ${opt.timeoutMs / 1000} s; last page ${where(current)}` }),
  opt.timeoutMs,
);
run().catch((e) => finish({ ok: false, reason: `cannot start the browser: ${e.message.split('\n')[0]}` }));

const result = await outcome;
clearTimeout(timer);
if (opt.screenshot && page) {
  await page.screenshot({ path: opt.screenshot, fullPage: true, timeout: 5000 }).catch((e) => {
    process.stderr.write(`idp_login: no screenshot: ${e.message.split('\n')[0]}\n`);
  });
}
if (opt.urlsOut) {
  try {
    writeFileSync(opt.urlsOut, urls.map((u) => u + '\n').join(''));
  } catch (e) {
    result.ok = false;
    result.reason = `cannot write --urls-out ${opt.urlsOut}: ${e.message}`;
  }
}
if (browser) await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
if (!result.ok) fail(result.reason || 'failed');
process.exit(0);
