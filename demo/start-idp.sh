#!/usr/bin/env bash
# Starts the demo's local third-party test IdP (npm saml-idp 1.2.1) in the foreground.
# See demo/README.md for what it sends and what the SP must do.
#
#   demo/start-idp.sh --port PORT --issuer ENTITY_ID --acs ACS_URL --audience SP_ENTITY_ID \
#                     --key KEY.pem --cert CERT.pem \
#                     [--host 127.0.0.1] [--email demo@example.test --first Demo --last User] \
#                     [--trust-request-acs] [-- EXTRA saml-idp OPTIONS]
#
# The process is exec'ed: the caller's PID is the IdP's, so `kill PID` stops it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

host=127.0.0.1 port="" issuer="" acs="" audience="" key="" cert="" static=(--disableRequestAcsUrl)
email="demo@example.test" first="Demo" last="User"
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --host) host="${2:?}"; shift 2 ;;
    --port) port="${2:?}"; shift 2 ;;
    --issuer) issuer="${2:?}"; shift 2 ;;
    --acs) acs="${2:?}"; shift 2 ;;
    --audience) audience="${2:?}"; shift 2 ;;
    --key) key="${2:?}"; shift 2 ;;
    --cert) cert="${2:?}"; shift 2 ;;
    --email) email="${2:?}"; shift 2 ;;
    --first) first="${2:?}"; shift 2 ;;
    --last) last="${2:?}"; shift 2 ;;
    --trust-request-acs) static=(); shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "start-idp.sh: unknown option $1" >&2; usage ;;
  esac
done
for v in port issuer acs audience key cert; do
  [ -n "${!v}" ] || { echo "start-idp.sh: --$v is required" >&2; usage; }
done
for f in "$key" "$cert"; do
  [ -r "$f" ] || { echo "start-idp.sh: cannot read $f" >&2; exit 1; }
done
run="$here/node_modules/saml-idp/bin/run.js"
[ -f "$run" ] || { echo "start-idp.sh: $run is missing; run scripts/install-deps (npm ci in demo/)" >&2; exit 1; }

export SSOC_IDP_EMAIL="$email" SSOC_IDP_FIRST="$first" SSOC_IDP_LAST="$last"
# saml-idp resolves relative key/cert paths against its own folder too; absolute paths avoid that.
key="$(realpath "$key")" cert="$(realpath "$cert")"
# saml-idp lets the environment variables HOST and PORT override --host and --port: drop them.
unset HOST PORT
exec node --no-deprecation "$run" \
  --host "$host" --port "$port" \
  --issuer "$issuer" --acsUrl "$acs" --audience "$audience" \
  --cert "$cert" --key "$key" \
  --configFile "$here/idp-config.js" \
  ${static[@]+"${static[@]}"} ${extra[@]+"${extra[@]}"}
