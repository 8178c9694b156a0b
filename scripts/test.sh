#!/usr/bin/env bash
# The one command that runs kefu's whole test suite on a fresh Debian machine.
#
# Installs what is missing (PostgreSQL, Chromium, ChromeDriver, python3-venv, and
# python3-aiosmtpd for the SMTP peer the mail-out tests send to, dovecot for the IMAP peer
# the mail-in tests fetch from, postfix for the mail server they send through), starts a
# throw-away PostgreSQL cluster, runs fmt, clippy, every test on SQLite, fuzzes the JSON API
# against its OpenAPI document (scripts/fuzz-api.sh), then runs the integration suite on
# PostgreSQL, and stops what it started.
#
#   scripts/test.sh                 everything
#   scripts/test.sh --quick         skip fmt and clippy
#   scripts/test.sh --sqlite-only   skip PostgreSQL (nothing installed or started for it)
#   scripts/test.sh --no-fuzz       skip the API fuzzing (no Python environment made for it)
set -euo pipefail

usage() { echo "usage: $0 [--quick] [--sqlite-only] [--no-fuzz]" >&2; exit 2; }
quick=0
sqlite_only=0
fuzz=1
for arg in "$@"; do
    case "$arg" in
        --quick) quick=1 ;;
        --sqlite-only) sqlite_only=1 ;;
        --no-fuzz) fuzz=0 ;;
        *) usage ;;
    esac
done

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kefu-target}"
export RUST_BACKTRACE=1
export KEFU_REQUIRE_BROWSER=1
# The real peers (the SMTP server of the mail-out tests) must run: missing, a test fails.
export KEFU_REQUIRE_PEERS=1
export KEFU_PYTHON=/usr/bin/python3
export KEFU_CHROMEDRIVER=/usr/bin/chromedriver
export KEFU_CHROMIUM=/usr/bin/chromium

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else
        echo "error: need root to install packages: $*" >&2
        echo "install them by hand: apt-get install postgresql chromium chromium-driver python3-aiosmtpd dovecot-imapd dovecot-lmtpd openssl postfix haproxy" >&2
        exit 1
    fi
}

pg_bindir() {
    local d
    d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; fi
}

# --- install what is missing ------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# A Chinese font, so the browser test's screenshots show text rather than boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
# The SMTP peer (crates/kefu-testkit/smtp_peer.py) runs on Debian's Python with aiosmtpd.
/usr/bin/python3 -c 'import aiosmtpd.smtp' >/dev/null 2>&1 || missing+=(python3-aiosmtpd)
# The IMAP peer (crates/kefu-testkit/src/imap_peer.rs): Debian's dovecot, run by each test
# on loopback with its own configuration and a throw-away CA made by openssl.
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd dovecot-lmtpd)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The mail server in front of them (crates/kefu-testkit/src/postfix_peer.rs): Debian's
# postfix, run by each test as a private instance with its own configuration directory
# (which needs root: the postfix command is the superuser's). The package's own instance
# stays unconfigured ("No configuration"), so installing it starts no system mail server.
[ -x /usr/sbin/postfix ] || missing+=(postfix)
# The load balancer in front of several kefu instances (crates/kefu-testkit/src/balancer.rs):
# Debian's haproxy, run by each test as a child with its own configuration on loopback. The
# package's own service keeps its stock configuration, which listens nowhere.
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ "$sqlite_only" -eq 0 ] && [ -z "${KEFU_TEST_PG_URL:-}" ] && [ -z "$(pg_bindir)" ]; then
    missing+=(postgresql)
fi
# The degradation tests run a private PostgreSQL of their own (kefu_testkit::PgPeer), to
# restart and stop under load, in every run, --sqlite-only and KEFU_TEST_PG_URL included.
if [ -z "$(pg_bindir)" ] && [[ " ${missing[*]} " != *" postgresql "* ]]; then
    missing+=(postgresql)
fi
# The fuzzing step installs schemathesis into a virtual environment, which Debian's python3
# makes only with python3-venv: tried once, until that environment exists.
venv_works() {
    local probe ok=1
    probe=$(mktemp -d)
    if python3 -m venv "$probe/venv" >/dev/null 2>&1; then ok=0; fi
    rm -rf "$probe"
    return "$ok"
}
if [ "$fuzz" -eq 1 ] && [ ! -x "${KEFU_FUZZ_VENV:-$CARGO_TARGET_DIR/fuzz-venv}/bin/python" ] \
    && ! venv_works; then
    missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    echo "==> installing ${missing[*]}"
    as_root apt-get update -qq
    if [[ " ${missing[*]} " == *" postfix "* ]]; then
        echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The failover test's pg_auto_failover variant (crates/kefu-testkit/src/auto_failover.rs):
# Debian's pg_auto_failover for the PostgreSQL installed above — pg_autoctl and the monitor's
# extension — run by the test as private clusters on loopback, in every run, like the
# degradation tests' PostgreSQL. The package starts no service of its own.
af_bindir=$(pg_bindir)
if [ -n "$af_bindir" ]; then
    af_version=$(basename "$(dirname "$af_bindir")")
    if [ ! -x /usr/bin/pg_autoctl ] \
        || [ ! -e "/usr/share/postgresql/$af_version/extension/pgautofailover.control" ]; then
        echo "==> installing postgresql-$af_version-auto-failover"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "postgresql-$af_version-auto-failover"
    fi
fi

# --- a throw-away PostgreSQL cluster ----------------------------------------------------
pg_dir=""
pg_ctl_cmd=()
cleanup() {
    local status=$?
    if [ -n "$pg_dir" ]; then
        "${pg_ctl_cmd[@]}" -D "$pg_dir/data" stop -m fast >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    fi
    exit "$status"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_url=""
if [ "$sqlite_only" -eq 0 ]; then
    if [ -n "${KEFU_TEST_PG_URL:-}" ]; then
        pg_url="$KEFU_TEST_PG_URL"
    else
        bindir=$(pg_bindir)
        pg_dir=$(mktemp -d /tmp/kefu-pg.XXXXXX)
        port=$(free_port)
        if [ "$(id -u)" -eq 0 ]; then
            chown postgres "$pg_dir"
            run_pg=(runuser -u postgres --)
        else
            run_pg=()
        fi
        pg_ctl_cmd=("${run_pg[@]}" "$bindir/pg_ctl")
        echo "==> starting PostgreSQL on 127.0.0.1:$port"
        "${run_pg[@]}" "$bindir/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
        "${pg_ctl_cmd[@]}" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null
        pg_url="postgres://postgres@127.0.0.1:$port/postgres"
    fi
fi

# --- the steps ----------------------------------------------------------------------------
timings=()
step() {
    local name=$1
    shift
    echo
    echo "==> $name"
    local t0=$SECONDS
    "$@"
    timings+=("$(printf '%-32s %5ds' "$name" $((SECONDS - t0)))")
}

# Runs a test command; when it fails, ends with why each test failed (the panic and the
# lines after it, without the backtrace), so the last lines of a long run name the causes.
with_digest() {
    local log status=0
    log=$(mktemp)
    "$@" 2>&1 | tee "$log" || status=$?
    if [ "$status" -ne 0 ]; then
        echo
        echo "==> why the tests failed"
        awk '
            /^---- .* stdout ----$/ { name = $2; grab = 0; next }
            /^stack backtrace:/ || /^note: / { grab = 0; next }
            / panicked at / { print "* " name; print "  " substr($0, 1, 240); grab = 8; next }
            grab > 0 { print "  " substr($0, 1, 240); grab--; next }
        ' "$log" | head -n 120
    fi
    rm -f "$log"
    return "$status"
}

if [ "$quick" -eq 0 ]; then
    step "format (cargo fmt --check)" cargo fmt --all -- --check
    if cargo clippy --version >/dev/null 2>&1; then
        step "lint (cargo clippy)" cargo clippy --workspace --all-targets --locked -- -D warnings
    else
        echo "cargo clippy is not installed: skipping the lint step"
    fi
fi
step "tests on SQLite" with_digest cargo test --workspace --locked
# The kefu binary the fuzzing serves was built by the step above (the CLI tests run it).
if [ "$fuzz" -eq 1 ]; then
    step "API fuzzing (schemathesis)" scripts/fuzz-api.sh
fi
if [ -n "$pg_url" ]; then
    step "integration tests on PostgreSQL" with_digest env KEFU_TEST_DATABASE_URL="$pg_url" \
        cargo test -p kefu-testkit --test it --locked
fi

# The browser journeys' screenshots, kept beside the clone as the run's artifacts.
shots="${CARGO_TARGET_DIR:-target}/screenshots"
if [ -d "$shots" ]; then
    mkdir -p artifacts/screenshots
    cp "$shots"/*.png artifacts/screenshots/ 2>/dev/null || true
    echo "==> screenshots in artifacts/screenshots ($(ls artifacts/screenshots | wc -l) files)"
fi

echo
echo "==> timings"
printf '  %s\n' "${timings[@]}"
echo "kefu tests: all steps passed"
