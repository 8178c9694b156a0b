#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis, generating requests from the OpenAPI document the
# server itself serves: a demo server on a fresh SQLite file, an administrator's token and
# an agent's, a bounded time for each. Any 5xx, any response that does not match the
# document (status, body, content type, headers) or any request the document calls
# invalid that the server accepts, fails the run.
#
#   scripts/fuzz-api.sh
#
# Needs python3 (with venv) and the kefu binary built by `cargo test --workspace` or
# `cargo build -p kefu`; builds nothing itself. Settings, from the environment:
#
#   KEFU_BIN             the kefu binary (default $CARGO_TARGET_DIR/debug/kefu)
#   KEFU_FUZZ_SECONDS    time budget per token (default 100)
#   KEFU_FUZZ_SEED       replay a run with its seed (printed at the end of each run)
#   KEFU_FUZZ_VENV       the virtual environment schemathesis is installed into
#                        (default $CARGO_TARGET_DIR/fuzz-venv)
#   KEFU_FUZZ_SCHEMA     fuzz against this document file instead of the server's own
#                        (to try a change to the document without rebuilding)
#
# Left out, because they would take the fuzzer's own access away mid-run: revoking tokens
# (DELETE /api/v1/tokens/{id}); and PATCH /api/v1/users/{id} is pinned to an account made
# for it, so roles and the active flag of the token owners stay as they are.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/kefu-target}"
kefu="${KEFU_BIN:-$target/debug/kefu}"
seconds="${KEFU_FUZZ_SECONDS:-100}"
venv="${KEFU_FUZZ_VENV:-$target/fuzz-venv}"

if [ ! -x "$kefu" ]; then
    echo "error: no kefu binary at $kefu; build it first (cargo build -p kefu)" >&2
    exit 1
fi
kefu="$(cd "$(dirname "$kefu")" && pwd)/$(basename "$kefu")"

# --- schemathesis, pinned, in its own virtual environment ---------------------------------
st="$venv/bin/schemathesis"
if ! "$st" --version 2>/dev/null | grep -qx "schemathesis, version $SCHEMATHESIS_VERSION"; then
    echo "==> installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    rm -rf "$venv"
    if ! python3 -m venv "$venv"; then
        echo "error: python3 cannot make a virtual environment (Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# --- a demo server on a fresh database ----------------------------------------------------
work=$(mktemp -d /tmp/kefu-fuzz.XXXXXX)
server_pid=""
cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
mkdir -p "$work/data"
# Every kefu command of this run reads the same database and nothing from the environment
# or a kefu.toml in the working directory.
kefu_cmd() {
    (cd "$work" && exec env -u KEFU_CONFIG -u KEFU_DATABASE_URL -u KEFU_DATA_DIR \
        "$kefu" --data-dir "$work/data" --log-level warn "$@")
}

echo "==> starting a demo server at $base"
# The rate limit is raised: a fuzzer calls far faster than any client should, and 429 is
# not what is being tested (it is documented on every operation all the same). Started
# without the function so that $! is the server itself (exec), which cleanup stops.
(cd "$work" && exec env -u KEFU_CONFIG -u KEFU_DATABASE_URL -u KEFU_DATA_DIR \
    "$kefu" --data-dir "$work/data" --log-level warn \
    serve --demo 300 --listen "127.0.0.1:$port" --api-rate-limit 1000000 \
    >"$work/server.log" 2>&1) &
server_pid=$!
ready=0
for _ in $(seq 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "$base/healthz" 2>/dev/null; then
        ready=1
        break
    fi
    sleep 0.2
done
if [ "$ready" -ne 1 ]; then
    echo "error: the server did not start; its log:" >&2
    cat "$work/server.log" >&2
    exit 1
fi

# Accounts of the fuzzer's own, with a password they chose (a one-time password would make
# their tokens answer 403 password_change_required).
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
add_user() {
    printf '%s\n' "$password" | kefu_cmd user add "$@" --password-stdin
}
add_user fuzz-admin --role admin >/dev/null
add_user fuzz-agent --role agent --department customer_service --level junior_agent >/dev/null
target_id=$(add_user fuzz-target --role agent | sed -n 's/^created user fuzz-target (id \([0-9]*\))$/\1/p')
if [ -z "$target_id" ]; then
    echo "error: could not create the account PATCH /api/v1/users/{id} is pinned to" >&2
    exit 1
fi
admin_token=$(kefu_cmd token create --user fuzz-admin --name fuzz 2>/dev/null)
agent_token=$(kefu_cmd token create --user fuzz-agent --name fuzz 2>/dev/null)

cat >"$work/schemathesis.toml" <<EOF
# PATCH (and GET) /api/v1/users/{id} only ever touch the account made for it.
[[operations]]
include-path = "/api/v1/users/{id}"
parameters = { "path.id" = $target_id }
EOF

# --- the runs -----------------------------------------------------------------------------
schema="$base/api/v1/openapi.json"
location=()
if [ -n "${KEFU_FUZZ_SCHEMA:-}" ]; then
    schema="$(cd "$(dirname "$KEFU_FUZZ_SCHEMA")" && pwd)/$(basename "$KEFU_FUZZ_SCHEMA")"
    location=(--url "$base")
fi
seed=()
if [ -n "${KEFU_FUZZ_SEED:-}" ]; then
    seed=(--seed "$KEFU_FUZZ_SEED")
fi

# Every check but positive_data_acceptance: valid per the document is not the same as
# acceptable to the business rules (a step out of order is 409, a required text of blanks
# 422), and those rules are not all expressible in a schema.
fuzz() {
    local who=$1 token=$2
    echo
    echo "==> fuzzing the API as $who for ${seconds}s"
    (cd "$work" && "$st" --config-file "$work/schemathesis.toml" run "$schema" "${location[@]}" \
        --header "Authorization: Bearer $token" \
        --checks all --exclude-checks positive_data_acceptance \
        --exclude-path '/api/v1/tokens/{id}' \
        --max-examples 50 --max-time "$seconds" --workers 1 \
        --request-timeout 30 --generation-database none \
        --no-color --output-truncate true "${seed[@]}")
}

results=()
failed=0
for who in admin agent; do
    token_var="${who}_token"
    if fuzz "$who" "${!token_var}"; then
        results+=("$who: passed")
    else
        results+=("$who: FAILED")
        failed=1
    fi
done

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server stopped during the run; its log:" >&2
    tail -n 50 "$work/server.log" >&2
    failed=1
fi
if grep -q "ERROR" "$work/server.log"; then
    echo
    echo "==> errors the server logged:"
    grep "ERROR" "$work/server.log" | tail -n 20
fi

echo
echo "fuzz-api: schemathesis $SCHEMATHESIS_VERSION, ${seconds}s per token: ${results[*]}"
exit "$failed"
