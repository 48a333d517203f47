#!/usr/bin/env bash
# End to end in a real browser (Debian's chromium driven by playwright-core): `ssoconnect demo`
# (SoftHSM2, SKS on, npm saml-idp), then `ssoconnect login` with idp_login.mjs as $BROWSER:
#   - the IdP's page is filled in and the client prints a master password;
#   - a second login of the same user prints the same one; another user gets a different one;
#   - a restarted service still delivers the same ones;
#   - no URL the browser visited holds the token or a master password; the database file holds
#     no master password; a redirect_uri to another host is refused with an error page.
#   demo_login_test.sh BINARY
set -euo pipefail
bin="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
demo_pid="" service_pid="" passed=0 failed=0

cleanup() {
  [ -n "$service_pid" ] && kill -TERM "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null
  [ -n "$demo_pid" ] && kill -INT "$demo_pid" 2>/dev/null && wait "$demo_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

check() {  # check "what" command...
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else failed=$((failed + 1)); echo "not ok - $what"; fi
}
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() {  # wait_for SECONDS command...
  local limit=$(( $1 * 10 )); shift
  for _ in $(seq "$limit"); do "$@" && return 0; sleep 0.1; done
  return 1
}

port="$(free_port)" idp_port="$(free_port)"
"$bin" demo --dir "$work/demo" --port "$port" --idp-port "$idp_port" >"$work/demo.out" 2>"$work/demo.err" &
demo_pid=$!
if ! wait_for 90 grep -q "^Log in with:" "$work/demo.out"; then
  echo "the demo did not start:"; cat "$work/demo.out" "$work/demo.err"
  cat "$work/demo/logs/"*.log 2>/dev/null | tail -20; exit 1
fi
server="$(sed -n 's/.* login --server \(https:[^ ]*\)$/\1/p' "$work/demo.out")"
data="$work/demo/data"
export SOFTHSM2_CONF="$work/demo/softhsm/softhsm2.conf"
echo "# demo at $server"

login() {  # login TAG [EMAIL FIRST LAST]: prints the master password; the user as shown if none
  local tag="$1"; shift
  local user=()
  [ $# -eq 3 ] && user=(SSOC_E2E_EMAIL="$1" SSOC_E2E_FIRST="$2" SSOC_E2E_LAST="$3")
  env ${user[@]+"${user[@]}"} SSOC_E2E_URLS_OUT="$work/urls-$tag.txt" \
    BROWSER="node $here/idp_login.mjs" \
    "$bin" login --server "$server" --timeout 90 2>"$work/login-$tag.err" ||
    { echo "# login $tag failed: $(tail -n 3 "$work/login-$tag.err")" >&2; return 1; }
}
is_master_password() { [[ "$1" =~ ^[A-Za-z0-9_-]{43}$ ]]; }

demo1="$(login 1)" || true
check "the demo user gets a master password" is_master_password "$demo1"
check "the client says a new user was made" grep -q "new user" "$work/login-1.err"
demo2="$(login 2)" || true
check "a second login of the same user prints the same password" test "$demo1" = "$demo2"
alice1="$(login 3 alice@example.test Alice Liddell)" || true
check "another user gets a master password" is_master_password "$alice1"
check "another user gets a different one" test "$alice1" != "$demo1"

# --out FILE: the password goes to a new 0600 file, nothing to stdout.
out_stdout="$(env SSOC_E2E_URLS_OUT="$work/urls-out.txt" BROWSER="node $here/idp_login.mjs" \
  "$bin" login --server "$server" --timeout 90 --out "$work/master.txt" 2>"$work/login-out.err")" || true
check "--out writes the same password to a 0600 file and nothing to stdout" \
  bash -c "[ -z '$out_stdout' ] && [ \"\$(stat -c %a '$work/master.txt')\" = 600 ] && [ \"\$(cat '$work/master.txt')\" = '$demo1' ]"

# Restart the service (the demo's IdP and token stay): the same passwords come back.
old_pid="$(cat "$data/service.lock")"
kill -TERM "$old_pid"
wait_for 30 bash -c "! kill -0 $old_pid 2>/dev/null"
"$bin" --data-dir "$data" --log-file "$work/restarted.log" start 2>"$work/restarted.err" &
service_pid=$!
wait_for 30 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
demo3="$(login 4)" || true
alice2="$(login 5 alice@example.test Alice Liddell)" || true
check "a restarted service delivers the same password to the demo user" test "$demo1" = "$demo3"
check "a restarted service delivers the same password to another user" test "$alice1" = "$alice2"

# The token and the master passwords never appear in a URL, nor in the database file.
check "no URL holds a token or a master password" \
  bash -c "! cat $work/urls-*.txt | grep -E -q 'token=|$demo1|$alice1'"
check "the browser's visits were recorded" grep -q "/saml/acs" "$work/urls-1.txt"
check "the database holds no master password" \
  bash -c "! cat $data/ssoconnect.db* | grep -a -F -q -e '$demo1' -e '$alice1'"
check "users list names both users" \
  bash -c "'$bin' --data-dir '$data' users list | grep -q 'alice@example.test' && '$bin' --data-dir '$data' users list | grep -q 'demo@example.test'"

# A redirect_uri to another host is refused with an error page that has a reference number.
key="$(openssl genpkey -algorithm X25519 2>/dev/null | openssl pkey -pubout -outform DER | basenc --base64url -w0 | tr -d '=')"
check "a redirect_uri to another host is refused" \
  node "$here/idp_login.mjs" --url "$server/sso/login?key=$key&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&state=s" \
    --expect-status 400 --expect-text "reference number" --timeout 30

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
