#!/usr/bin/env bash
# Contract checks of openapi.yaml with third-party tools:
#   1. Spectral (spectral:oas, every rule) and Redocly CLI lint the spec clean;
#   2. Prism, a mock made from the spec with request validation on, accepts
#      the crate's request for every documented scenario (and the crate decodes
#      its responses), and rejects raw requests that break a rule of the spec;
#   3. the crate's standalone mock (examples/mock_server.rs) accepts the
#      crate's requests, and schemathesis runs all its checks against it.
#
# The tools are pinned in package.json/package-lock.json and requirements.txt
# beside this script, and installed under .tools/ (git-ignored) only when
# missing or when a pin changed, so a second run installs nothing.
#
# Usage: .ci/contract/run.sh   (from anywhere; exits non-zero on any failure)
# Environment:
#   CONTRACT_ST_MAX_EXAMPLES  schemathesis test cases per phase (default 300)
#   CONTRACT_ST_SEED          schemathesis seed (default fixed, for repeatable runs)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TOOLS="$ROOT/.tools/contract"
SPEC="$ROOT/openapi.yaml"
ST_MAX_EXAMPLES="${CONTRACT_ST_MAX_EXAMPLES:-300}"
ST_SEED="${CONTRACT_ST_SEED:-20261126}"
# Keep the tools quiet and offline: no usage reports, no update checks.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NO_UPDATE_NOTIFIER=1 npm_config_update_notifier=false
export PIP_DISABLE_PIP_VERSION_CHECK=1

cd "$ROOT"
started=$SECONDS
WORK="$(mktemp -d)"
PIDS=()
# Stops the servers this script started, by their process ids.
stop_servers() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
cleanup() {
    stop_servers
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() { printf '\n=== %s  [+%d s]\n' "$*" "$((SECONDS - started))"; }
fail() { printf 'contract: FAILED: %s\n' "$*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------

sha() { cat "$@" | sha256sum | cut -d' ' -f1; }

install_npm_tools() {
    local dir="$TOOLS/npm" stamp
    stamp="$(sha "$HERE/package.json" "$HERE/package-lock.json") node-$(node --version)"
    if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        echo "npm tools: cached"
        return
    fi
    echo "npm tools: installing from package-lock.json"
    rm -rf "$dir"
    mkdir -p "$dir"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$dir/"
    # --ignore-scripts: none of the tools needs an install script (the only
    # one in the tree reports usage over the network).
    npm ci --prefix "$dir" --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$stamp" >"$dir/.stamp"
}

install_python_tools() {
    local dir="$TOOLS/venv" stamp
    stamp="$(sha "$HERE/requirements.txt") $(python3 --version 2>&1)"
    if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        echo "python tools: cached"
        return
    fi
    echo "python tools: installing from requirements.txt"
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --no-deps --requirement "$HERE/requirements.txt"
    "$dir/bin/pip" check
    echo "$stamp" >"$dir/.stamp"
}

section "tools"
install_npm_tools
install_python_tools
BIN="$TOOLS/npm/node_modules/.bin"
ST="$TOOLS/venv/bin/st"
echo "node $(node --version), npm $(npm --version), $(python3 --version 2>&1)"
echo "spectral $("$BIN/spectral" --version)"
echo "redocly $("$BIN/redocly" --version 2>/dev/null)"
echo "prism $("$BIN/prism" --version)"
echo "schemathesis $("$ST" --version | sed 's/.*version //')"
echo "tools ready after $((SECONDS - started)) s"

# --- helpers ----------------------------------------------------------------

# free_ports N: N distinct free loopback ports, one a line.
free_ports() {
    python3 -c '
import socket, sys
sockets = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in sockets))
' "$1"
}

# wait_http URL SECONDS: until anything answers HTTP at URL.
wait_http() {
    local url="$1" limit="$2" i
    for ((i = 0; i < limit * 10; i++)); do
        if curl -s -o /dev/null --max-time 1 "$url"; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# build_examples NAME...: builds these examples of the crate (with the mock
# feature) and prints "NAME PATH" for each.
build_examples() {
    local args=() name
    for name in "$@"; do
        args+=(--example "$name")
    done
    cargo build --locked --quiet --features mock "${args[@]}" --message-format=json-render-diagnostics |
        python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") and "example" in msg["target"]["kind"]:
        print(msg["target"]["name"], msg["executable"])
'
}

# --- 1. lint ----------------------------------------------------------------

section "lint: Spectral (spectral:oas, all rules; config .ci/contract/.spectral.yaml)"
"$BIN/spectral" lint --ruleset "$HERE/.spectral.yaml" --fail-severity=warn --display-only-failures \
    "$SPEC" || fail "Spectral found problems in openapi.yaml"

section "lint: Redocly CLI (recommended; config .ci/contract/redocly.yaml)"
if ! "$BIN/redocly" lint --config "$HERE/redocly.yaml" --format=json "$SPEC" \
    >"$WORK/redocly.json" 2>"$WORK/redocly.err"; then
    cat "$WORK/redocly.err" >&2
fi
if ! python3 - "$WORK/redocly.json" <<'EOF'
import json, sys
totals = json.load(open(sys.argv[1]))["totals"]
print(f"redocly: {totals['errors']} errors, {totals['warnings']} warnings, {totals['ignored']} ignored")
sys.exit(1 if totals["errors"] or totals["warnings"] else 0)
EOF
then
    "$BIN/redocly" lint --config "$HERE/redocly.yaml" "$SPEC" || true
    fail "Redocly found problems in openapi.yaml"
fi

# --- 2. Prism -----------------------------------------------------------------

section "build: examples/contract_scenarios.rs and examples/mock_server.rs"
build_started=$SECONDS
examples="$(build_examples contract_scenarios mock_server)" || fail "cannot build the examples"
scenarios="$(sed -n 's/^contract_scenarios //p' <<<"$examples")"
mock="$(sed -n 's/^mock_server //p' <<<"$examples")"
[[ -x "$scenarios" && -x "$mock" ]] || fail "cannot find the built examples"
echo "built in $((SECONDS - build_started)) s"

section "Prism: the crate's requests against a mock made from openapi.yaml"

# Two Prism mocks, both validating requests: one answers with the schema's
# static examples, one with random data generated from the schema (-d), to
# check the client decodes whatever the schema allows.
{ read -r prism_static_port; read -r prism_dynamic_port; } < <(free_ports 2)
"$BIN/prism" mock --host 127.0.0.1 --port "$prism_static_port" "$SPEC" >"$WORK/prism-static.log" 2>&1 &
PIDS+=($!)
"$BIN/prism" mock --dynamic --host 127.0.0.1 --port "$prism_dynamic_port" "$SPEC" >"$WORK/prism-dynamic.log" 2>&1 &
PIDS+=($!)
PRISM="http://127.0.0.1:$prism_static_port"
PRISM_DYNAMIC="http://127.0.0.1:$prism_dynamic_port"
wait_http "$PRISM" 60 || { cat "$WORK/prism-static.log"; fail "Prism did not start"; }
wait_http "$PRISM_DYNAMIC" 60 || { cat "$WORK/prism-dynamic.log"; fail "Prism (dynamic) did not start"; }

echo "-- scenarios, static responses ($PRISM)"
"$scenarios" "$PRISM" contract-test-key || fail "a scenario failed against Prism"
DYNAMIC_ROUNDS=5
for ((round = 1; round <= DYNAMIC_ROUNDS; round++)); do
    echo "-- scenarios, random responses, round $round/$DYNAMIC_ROUNDS ($PRISM_DYNAMIC)"
    "$scenarios" "$PRISM_DYNAMIC" contract-test-key || fail "a scenario failed against Prism (dynamic)"
done

# reject NAME EXPECTED_STATUS EXPECTED_VIOLATION PATH [CURL ARGS...]: a raw
# request that breaks a rule of the spec must get EXPECTED_STATUS, and Prism's
# sl-violations header must name the broken rule, so the request is refused
# for the right reason.
negatives=0
reject() {
    local name="$1" want_status="$2" want_violation="$3" path="$4"
    shift 4
    local status violations
    status="$(curl -s -o /dev/null -D "$WORK/headers" -w '%{http_code}' -X PATCH \
        -H 'Content-Type: application/json' "$@" "$PRISM$path")"
    violations="$(tr -d '\r' <"$WORK/headers" | sed -n 's/^sl-violations: //Ip')"
    negatives=$((negatives + 1))
    if [[ "$status" != "$want_status" || "$violations" != *"$want_violation"* ]]; then
        echo "FAIL  $name: got $status, violations: ${violations:-none}"
        fail "Prism accepted, or refused for another reason, a request that breaks the spec"
    fi
    echo "ok    $name: $status ($want_violation)"
}
AUTH=(-H 'Authorization: Bearer contract-test-key')
echo "-- raw requests that break a rule of the spec ($PRISM)"
reject "set with add" 422 '"code":"oneOf"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"set":[{"name":"a"}],"add":[{"name":"b"}]}}'
reject "set with remove" 422 '"code":"oneOf"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"set":[],"remove":["b"]}}'
reject "empty tags object" 422 '"code":"oneOf"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{}}'
reject "contact_id 0123" 422 'path parameter contact_id must match pattern' /v1/contacts/0123 "${AUTH[@]}" \
    -d '{"tags":{"add":[{"name":"a"}]}}'
reject "contact_id abc" 422 'path parameter contact_id must match pattern' /v1/contacts/abc "${AUTH[@]}" \
    -d '{"tags":{"add":[{"name":"a"}]}}'
reject "account_id 042" 422 'account_id must match pattern' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"account_id":"042","tags":{"add":[{"name":"a"}]}}'
reject "unknown field" 422 "found 'colour'" /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"add":[{"name":"a"}]},"colour":"red"}'
reject "unknown tag field" 422 "found 'colour'" /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"add":[{"name":"a","colour":"red"}]}}'
reject "tag without name" 422 "name" /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"add":[{"color":"red"}]}}'
reject "blank tag name" 422 '"code":"pattern"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"add":[{"name":"  "}]}}'
reject "empty tag name to remove" 422 '"code":"minLength"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"tags":{"remove":[""]}}'
reject "notes_json not a string" 422 '"code":"type"' /v1/contacts/123 "${AUTH[@]}" \
    -d '{"notes_json":{"stage":"demo"}}'
reject "no Authorization" 401 '"code":401' /v1/contacts/123 \
    -d '{"tags":{"add":[{"name":"a"}]}}'
reject "Basic instead of Bearer" 401 '"code":401' /v1/contacts/123 -H 'Authorization: Basic dXNlcjpwYXNz' \
    -d '{"tags":{"add":[{"name":"a"}]}}'

prism_static_requests="$(grep -c 'patch .*Request received' "$WORK/prism-static.log" || true)"
prism_static_valid="$(grep -c 'The request passed the validation rules' "$WORK/prism-static.log" || true)"
prism_dynamic_requests="$(grep -c 'patch .*Request received' "$WORK/prism-dynamic.log" || true)"
prism_dynamic_valid="$(grep -c 'The request passed the validation rules' "$WORK/prism-dynamic.log" || true)"
echo "prism (static): $prism_static_requests requests, $prism_static_valid passed validation, $negatives rule-breaking requests rejected"
echo "prism (dynamic): $prism_dynamic_requests requests, $prism_dynamic_valid passed validation"
stop_servers

# --- 3. the crate's mock ------------------------------------------------------

section "the crate's standalone mock: the crate's requests, then schemathesis"
mock_port="$(free_ports 1)"
MOCK_KEY="contract-test-key"
"$mock" --port "$mock_port" --api-key "$MOCK_KEY" >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
MOCK="http://127.0.0.1:$mock_port"
wait_http "$MOCK" 60 || { cat "$WORK/mock.log"; fail "the mock server did not start"; }
echo "mock: $(head -n 1 "$WORK/mock.log")"

# The mock's seeded contacts (src/mock/seed.rs): 18442 is under account 42
# only, 27051 under accounts 42 and 77 (so every update needs account_id).
echo "-- scenarios, contact 18442 under account 42 ($MOCK)"
"$scenarios" "$MOCK" "$MOCK_KEY" 18442 42 || fail "a scenario failed against the mock"
echo "-- scenarios, contact 27051 under account 77 ($MOCK)"
"$scenarios" "$MOCK" "$MOCK_KEY" 27051 77 --account-id-always || fail "a scenario failed against the mock"

echo "-- schemathesis"

mkdir -p "$WORK/st"
st_status=0
(
    # schemathesis keeps its caches in the working directory.
    cd "$WORK/st"
    SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$HERE" \
        timeout 900 "$ST" --config-file "$HERE/schemathesis.toml" run "$SPEC" \
        --url "$MOCK" \
        --header "Authorization: Bearer $MOCK_KEY" \
        --checks all \
        --max-examples "$ST_MAX_EXAMPLES" \
        --seed "$ST_SEED" \
        --generation-database none \
        --request-timeout 10 \
        --no-color \
        --report vcr --report-vcr-path "$WORK/st/requests.yaml"
) || st_status=$?
if [[ -f "$WORK/st/requests.yaml" ]]; then
    # The recorded requests, by the status they got (the successful path must
    # have been exercised, not only refusals).
    if ! "$TOOLS/venv/bin/python" - "$WORK/st/requests.yaml" <<'EOF'
import collections, sys, yaml
interactions = yaml.safe_load(open(sys.argv[1]))["http_interactions"] or []
statuses = collections.Counter(str(i["response"]["status"]["code"]) for i in interactions)
modes = collections.Counter(str((i.get("generation") or {}).get("mode")) for i in interactions)
by_status = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
print(f"schemathesis: {len(interactions)} requests ({modes['positive']} positive, {modes['negative']} negative); by status {by_status}")
sys.exit(0 if statuses.get("200") else 1)
EOF
    then
        fail "no schemathesis request was answered 200: the successful path went untested"
    fi
else
    fail "schemathesis recorded no requests (exit $st_status)"
fi
[[ $st_status -eq 0 ]] || fail "schemathesis found failures (exit $st_status)"

section "contract checks passed in $((SECONDS - started)) s"
