#!/usr/bin/env bash
# Runs schemathesis against the OpenAPI document of a running demo, with an API token of
# the demo strategist: no server error (5xx) and no response that breaks the schema.
# Usage: tests/api/schemathesis.sh [path to the etablera binary]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-target/debug/etablera}"
python3 -m pip install --quiet --disable-pip-version-check schemathesis >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(mktemp -d)
"$bin" demo --out "$out" --addr "127.0.0.1:$port" > "$out/demo.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 120); do grep -q "Serving Etablera" "$out/demo.log" 2>/dev/null && break; sleep 1; done
base="http://127.0.0.1:$port"
token=$(python3 - "$base" <<'PY'
import re, sys, urllib.request, urllib.parse, http.cookiejar, json
base = sys.argv[1]
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = op.open(base + "/login").read().decode()
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
data = urllib.parse.urlencode({"username": "strateg", "password": "demo-strateg-lösenord", "csrf": csrf}).encode()
op.open(base + "/login", data)
req = urllib.request.Request(base + "/api/v1/tokens", json.dumps({"unit": "2380", "scope": "read", "name": "schemathesis"}).encode(), {"Content-Type": "application/json"})
print(json.loads(op.open(req).read())["token"])
PY
)
# Generated inputs, in every documented place; no 5xx, statuses and bodies as documented.
st run "$base/api/v1/openapi.json" --url "$base/api/v1" -H "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  -n 40 --seed 1
