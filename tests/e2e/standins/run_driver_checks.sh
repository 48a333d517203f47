#!/usr/bin/env bash
# Checks the demo IdP and the browser driver (tests/e2e/idp_login.mjs) against STAND-INS:
# the real demo IdP (demo/start-idp.sh, npm saml-idp) plus fake_sso.mjs playing SSO Connect and
# fake_client.mjs playing the vault client. No SSO Connect code is involved; this only shows
# that the IdP and the driver do what the real end-to-end tests rely on.
#
#   tests/e2e/standins/run_driver_checks.sh        (needs scripts/install-deps done)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
e2e="$(dirname "$here")"
root="$(cd "$e2e/../.." && pwd)"
drv="$e2e/idp_login.mjs"
work="$(mktemp -d /tmp/ssoc-driver-checks.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "${SSOC_KEEP_WORK:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

read -r p_idp p_sso p_client p_idp2 p_cap < <(node -e '
  const net = require("net"); const ports = [];
  (function next() {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      ports.push(s.address().port); s.close(() => ports.length < 5 ? next() : console.log(ports.join(" ")));
    });
  })();')

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=Demo IdP' \
  -keyout idp-key.pem -out idp-cert.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' \
  -keyout tls-key.pem -out tls-cert.pem 2>/dev/null

idp="http://127.0.0.1:$p_idp" sso="https://127.0.0.1:$p_sso" client="http://127.0.0.1:$p_client/callback"
"$root/demo/start-idp.sh" --port "$p_idp" --issuer urn:ssoc:demo:idp --acs "$sso/saml/acs" \
  --audience urn:ssoc:demo:sp --key idp-key.pem --cert idp-cert.pem >idp.log 2>&1 &
pids+=($!)
node "$here/fake_sso.mjs" --port "$p_sso" --tls-key tls-key.pem --tls-cert tls-cert.pem \
  --idp-sso-url "$idp/saml/sso" --sp-entity-id urn:ssoc:demo:sp 2>sso.log &
pids+=($!)
node "$here/fake_client.mjs" --port "$p_client" --tokens-out tokens.jsonl 2>client.log &
pids+=($!)
for i in $(seq 50); do
  curl -sf "$idp/metadata" >/dev/null && curl -sk "$sso/" >/dev/null && curl -s "$client" >/dev/null && break
  sleep 0.2
done

failed=0
pass() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
login_url() { # [mode] [redirect_uri]
  local r="${2:-$client}"
  echo "$sso/sso/login?key=AAAA&state=st-$RANDOM&redirect_uri=$(node -p 'encodeURIComponent(process.argv[1])' "$r")${1:+&mode=$1}"
}
last_email() { tail -1 tokens.jsonl | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token.email))'; }
last_password() { tail -1 tokens.jsonl | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token.password))'; }

# 1. The IdP alone (a second instance whose ACS is check_idp's capture server): AuthnRequest by
#    hand (signed, then unsigned), login page, captured POST, both signatures (xmlsec1).
"$root/demo/start-idp.sh" --port "$p_idp2" --issuer urn:ssoc:demo:idp --acs "http://127.0.0.1:$p_cap/saml/acs" \
  --audience urn:ssoc:demo:sp --key idp-key.pem --cert idp-cert.pem >idp2.log 2>&1 &
pids+=($!)
for i in $(seq 50); do curl -sf "http://127.0.0.1:$p_idp2/metadata" >/dev/null && break; sleep 0.2; done
check_idp() {
  node "$here/check_idp.mjs" --idp "http://127.0.0.1:$p_idp2" --acs-port "$p_cap" --sp-entity-id urn:ssoc:demo:sp \
    --idp-cert idp-cert.pem "$@" >check_idp.out 2>&1 && pass "check_idp $*" || { bad "check_idp $*"; cat check_idp.out; }
}
check_idp --sign-key tls-key.pem --xml-out response.xml
check_idp --email Carol@Example.test --first Carol --last "O'Neil & Sons"

# 2. Demo user, screenshot, URL record.
if node "$drv" --url "$(login_url)" --screenshot final.png --urls-out urls1.txt 2>err.txt; then
  [ "$(last_email)" = demo@example.test ] && pass "default run delivers the demo user" || bad "default user: $(last_email)"
  pw="$(last_password)"
  grep -qF "$pw" urls1.txt && bad "token in a URL" || pass "token not in any of $(wc -l <urls1.txt) URLs"
  grep -q "/saml/acs" urls1.txt && grep -q "/signin" urls1.txt && pass "URL record has /signin and /saml/acs" || bad "URL record"
  [ -s final.png ] && pass "screenshot written" || bad "no screenshot"
else
  bad "default run: $(cat err.txt)"
fi

# 3. Another user, typed into the IdP's login page.
node "$drv" --url "$(login_url)" --email alice@example.test --first Alice --last Liddell 2>err.txt &&
  [ "$(last_email)" = alice@example.test ] && pass "--email changes the user" || bad "changed user: $(cat err.txt)"

# 4. The next run without options is the demo user again (the IdP does not keep the last user).
node "$drv" --url "$(login_url)" 2>err.txt && [ "$(last_email)" = demo@example.test ] &&
  pass "next default run is the demo user again" || bad "sticky user: $(last_email) $(cat err.txt)"

# 5. As $BROWSER: one positional argument, user from the environment.
BROWSER="$drv" SSOC_E2E_EMAIL=Bob@Example.test SSOC_E2E_FIRST=Bob SSOC_E2E_LAST=Builder \
  bash -c '"$BROWSER" "$1"' _ "$(login_url)" 2>err.txt &&
  [ "$(last_email)" = bob@example.test ] && pass "\$BROWSER mode with SSOC_E2E_EMAIL" || bad "BROWSER mode: $(cat err.txt)"

# 6. The ACS refuses: exit 1 with one line; with --expect-status/--expect-text: exit 0.
node "$drv" --url "$(login_url acs-error)" 2>err.txt && bad "acs-error gave exit 0" ||
  { [ "$(wc -l <err.txt)" = 1 ] && grep -q "HTTP 400 at $sso/saml/acs" err.txt && pass "ACS error page → exit 1: $(cat err.txt)" || bad "acs-error message: $(cat err.txt)"; }
node "$drv" --url "$(login_url acs-error)" --expect-status 400 --expect-text Reference 2>err.txt &&
  pass "--expect-status 400 --expect-text Reference" || bad "expect 400: $(cat err.txt)"
node "$drv" --url "$(login_url acs-error)" --expect-status 400 --expect-text NotThere 2>err.txt &&
  bad "expect-text mismatch gave exit 0" || pass "expect-text mismatch → exit 1: $(cat err.txt)"

# 7. An error page straight away (redirect_uri not loopback).
node "$drv" --url "$(login_url "" http://evil.example/cb)" --expect-status 400 --expect-text Reference 2>err.txt &&
  pass "direct error page with --expect-status 400" || bad "direct error: $(cat err.txt)"

# 8. Expecting an error but the login goes through.
node "$drv" --url "$(login_url)" --expect-status 400 2>err.txt && bad "expected 400 but exit 0" ||
  pass "expected 400, login delivered → exit 1: $(cat err.txt)"

# 9. Token sent in a URL (GET form): no final POST → timeout, and the URL record shows the token.
node "$drv" --url "$(login_url token-in-url)" --timeout 5 --urls-out urls2.txt 2>err.txt && bad "token-in-url gave exit 0" ||
  { grep -q "timeout after 5 s" err.txt && pass "token-in-url → $(cat err.txt)" || bad "token-in-url: $(cat err.txt)"; }
grep -q "callback?token=" urls2.txt && pass "URL record catches a token in a URL" || bad "URL record missed the token"

# 10. The final page itself, checked with --expect-status 200 --expect-text.
node "$drv" --url "$(login_url)" --expect-status 200 --expect-text "close this window" 2>err.txt &&
  pass "--expect-status 200 --expect-text on the client's final page" || bad "expect final: $(cat err.txt)"

# 11. Nothing listening.
node "$drv" --url "http://127.0.0.1:$p_cap/x" 2>err.txt && bad "closed port gave exit 0" ||
  pass "closed port → $(cat err.txt)"

# 12. saml-idp's own error page (it answers it with status 200).
node "$drv" --url "$idp/saml/sso?SAMLRequest=AAAA" 2>err.txt && bad "IdP error page gave exit 0" ||
  { grep -q "IdP error page" err.txt && pass "IdP error page → $(cat err.txt)" || bad "IdP error: $(cat err.txt)"; }

# 13. Usage error.
node "$drv" 2>err.txt; [ $? = 2 ] && pass "no URL → exit 2" || bad "usage exit status"

if [ "$failed" = 0 ]; then echo "run_driver_checks: all checks passed"; else echo "run_driver_checks: $failed check(s) failed"; fi
[ "$failed" = 0 ]
