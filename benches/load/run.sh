#!/usr/bin/env bash
# Load test of POST /v1/evaluate with wrk, in one or more store modes.
# See benches/load/README.md, or run with --help.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
ASSAY=$TARGET_DIR/release/assay
OUT=$TARGET_DIR/load
LUA_SCRIPT=$ROOT/benches/load/evaluate.lua
GRADED=$ROOT/benches/accuracy/graded.jsonl

# Settings (see usage).
DURATION=10
THREADS=2
CONNECTIONS=64
WARMUP=2
BUILD=1
ALL_BODIES=0
DATABASE_URL=${ASSAY_LOAD_DATABASE_URL:-}
MODES=()
EXTRA_SERVE_ARGS=()
READY_TIMEOUT=30     # seconds to wait for /readyz
STOP_TIMEOUT=40      # seconds to wait for the server to exit after SIGTERM
KEY_RATE_LIMIT=1000000000  # requests a minute: never reached

# State of the mode being run, for teardown and for the trap.
SERVER_PID=""
WRK_PID=""
SERVER_LOG=""
BASE_URL=""
TOKEN=""
DATA_DIR=""
PG_DB=""
PG_DB_URL=""
STORE_ARGS=()
STORE_ENV=()
TEMP_DIRS=()

# Results.
ROWS=()
NOTES=()

usage() {
    cat <<EOF
Usage: benches/load/run.sh [OPTIONS] [MODE...] [-- EXTRA 'assay serve' OPTIONS]

Load-tests POST /v1/evaluate of a release build of assay with wrk, once per
mode, and prints a Markdown table of throughput, latency, errors and the
server's peak memory.

Modes (default: off sqlite, plus postgres when a database URL is given):
  off        records off (--records off), SQLite store in a fresh temp dir
  sqlite     records on, SQLite store in a fresh temp dir (--data-dir)
  postgres   records on, PostgreSQL (--database-url): a fresh database
             assay_load_<time>_<pid> is created on the URL's server for the
             run and dropped after it (needs psql and the CREATEDB right)

Options:
  --duration SECONDS      measured run per mode (default: $DURATION)
  --warmup SECONDS        unmeasured load before it (default: $WARMUP; 0: none)
  --threads N             wrk threads (default: $THREADS)
  --connections N         wrk connections, spread over the threads
                          (default: $CONNECTIONS)
  --database-url URL      PostgreSQL server for the postgres mode, as
                          postgres://user:password@host:port/db; the database
                          named in it is only used to create and drop the
                          run's own database
  --all-bodies            also send the bodies the server refuses (wordings
                          it cannot match, answered 422); by default a
                          preflight sends every body once and keeps only
                          those answered 2xx, so errors mean real failures
  --no-build              do not run 'cargo build --release --bin assay'
  -h, --help              this text

Everything after '--' is passed to every 'assay serve', e.g.
  benches/load/run.sh sqlite -- --store-answers off

Environment:
  ASSAY_LOAD_DATABASE_URL  the same as --database-url
  CARGO_TARGET_DIR         where the binary is and where output goes
                           (default: target/)
  RUST_LOG                 the server's log filter (default: info, which logs
                           every request to <mode>-server.log)
  Other ASSAY_* variables are cleared so that they cannot change the server's
  settings between runs; use '-- OPTIONS' instead.

Output in ${OUT#"$ROOT"/}/: bodies*.jsonl (request bodies), <mode>-wrk.txt
(raw wrk output), <mode>-warmup.txt, <mode>-server.log, results.md (table).

Prerequisites: wrk, jq, curl (Debian: apt-get install wrk jq curl); psql for
the postgres mode; sqlite3, optional, to check the stored records.
EOF
}

# --- helpers -----------------------------------------------------------------

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

positive_int() { # NAME VALUE
    [[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || die "$1 must be a positive integer, not '$2'"
}

# One `@load NAME VALUE` line that evaluate.lua printed in wrk's output.
metric() { # FILE NAME
    awk -v name="$2" '$1 == "@load" && $2 == name { print $3; found = 1 }
        END { if (!found) print "?" }' "$1"
}

us_to_ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# --- arguments and prerequisites ---------------------------------------------

parse_args() {
    while (($#)); do
        case $1 in
            --duration) DURATION=${2-}; shift 2 || die "--duration needs a value" ;;
            --warmup) WARMUP=${2-}; shift 2 || die "--warmup needs a value" ;;
            --threads) THREADS=${2-}; shift 2 || die "--threads needs a value" ;;
            --connections) CONNECTIONS=${2-}; shift 2 || die "--connections needs a value" ;;
            --database-url) DATABASE_URL=${2-}; shift 2 || die "--database-url needs a value" ;;
            --all-bodies) ALL_BODIES=1; shift ;;
            --no-build) BUILD=0; shift ;;
            -h | --help) usage; exit 0 ;;
            --) shift; EXTRA_SERVE_ARGS=("$@"); break ;;
            off | sqlite | postgres) MODES+=("$1"); shift ;;
            *) die "unknown argument '$1' (see --help)" ;;
        esac
    done
    positive_int --duration "$DURATION"
    positive_int --threads "$THREADS"
    positive_int --connections "$CONNECTIONS"
    [[ $WARMUP =~ ^[0-9]+$ ]] || die "--warmup must be a whole number of seconds"
    ((CONNECTIONS >= THREADS)) || die "--connections must be at least --threads"

    if ((${#MODES[@]} == 0)); then
        MODES=(off sqlite)
        [[ -n $DATABASE_URL ]] && MODES+=(postgres)
    fi
    if [[ " ${MODES[*]} " == *" postgres "* && -z $DATABASE_URL ]]; then
        die "the postgres mode needs --database-url URL or ASSAY_LOAD_DATABASE_URL"
    fi
}

require() { # COMMAND HOW-TO-INSTALL
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

check_prerequisites() {
    require wrk "install it with 'sudo apt-get install wrk' (Debian/Ubuntu) or build it from https://github.com/wg/wrk"
    require jq "install it with 'sudo apt-get install jq' (Debian/Ubuntu) or see https://jqlang.github.io/jq/download/"
    require curl "install it with 'sudo apt-get install curl'"
    if [[ " ${MODES[*]} " == *" postgres "* ]]; then
        require psql "the postgres mode needs it: 'sudo apt-get install postgresql-client'"
        pg_admin 'SELECT 1' || die "cannot connect to the PostgreSQL server of --database-url"
    fi
}

# Server settings must come from this script only.
clear_assay_env() {
    local name
    for name in $(compgen -e); do
        if [[ $name == ASSAY_* && $name != ASSAY_LOAD_* ]]; then
            unset "$name"
        fi
    done
}

# --- build and request bodies ------------------------------------------------

build() {
    if ((BUILD)); then
        log "building: cargo build --release --bin assay"
        (cd "$ROOT" && cargo build --release --bin assay)
    fi
    [[ -x $ASSAY ]] || die "$ASSAY does not exist; build it or drop --no-build"
}

# One compact POST /v1/evaluate body (see EvaluateRequest in openapi.yaml) per
# graded answer: the question by id, or by the interviewer's own wording.
write_bodies() {
    mkdir -p "$OUT"
    jq -c 'if .question_id != null
           then {question_id, answer}
           else {question, answer} end' "$GRADED" >"$OUT/bodies-all.jsonl"
    log "wrote $(wc -l <"$OUT/bodies-all.jsonl") request bodies to $OUT/bodies-all.jsonl"
}

# Sends every body once (one curl, one connection, through a generated curl
# config) to a server with records off, and keeps the bodies answered 2xx in
# bodies.jsonl; the others go to bodies-refused.jsonl with their status.
preflight() {
    local codes=$OUT/preflight-status.txt
    jq -r --arg url "$BASE_URL/v1/evaluate" --arg auth "Authorization: Bearer $TOKEN" '
        "url = \($url | tojson)",
        "header = \($auth | tojson)",
        "header = \"Content-Type: application/json\"",
        "data-binary = \(tojson | tojson)",
        "output = /dev/null",
        "write-out = \"%{http_code}\\n\"",
        "next"' "$OUT/bodies-all.jsonl" |
        sed '$d' | curl -sS -K - >"$codes" || die "the preflight requests failed"

    local sent received
    sent=$(wc -l <"$OUT/bodies-all.jsonl")
    received=$(wc -l <"$codes")
    ((sent == received)) || die "the preflight got $received answers to $sent requests"

    awk 'NR == FNR { code[FNR] = $1; next } code[FNR] ~ /^2/' \
        "$codes" "$OUT/bodies-all.jsonl" >"$OUT/bodies.jsonl"
    awk 'NR == FNR { code[FNR] = $1; next } code[FNR] !~ /^2/ { print code[FNR] "\t" $0 }' \
        "$codes" "$OUT/bodies-all.jsonl" >"$OUT/bodies-refused.jsonl"

    local kept refused
    kept=$(wc -l <"$OUT/bodies.jsonl")
    refused=$(awk '{ n[$1]++ } END { for (c in n) printf "%s%d x %s", sep, n[c], c; sep = ", " }' \
        "$OUT/bodies-refused.jsonl")
    ((kept > 0)) || die "the server refused every body in the preflight (see $OUT/preflight-server.log)"
    log "preflight: $kept of $sent bodies answered 2xx${refused:+; left out: $refused (see bodies-refused.jsonl)}"
    NOTES+=("Bodies: $kept of $sent graded answers${refused:+; left out after the preflight: $refused}.")
}

use_all_bodies() {
    cp "$OUT/bodies-all.jsonl" "$OUT/bodies.jsonl"
    NOTES+=("Bodies: all $(wc -l <"$OUT/bodies.jsonl") graded answers (--all-bodies; unmatched wordings are answered 422 and counted as errors).")
}

# --- PostgreSQL: one fresh database per run -----------------------------------

# PG_DB_URL := DATABASE_URL with its database replaced by PG_DB.
pg_url_for() {
    local re='^(postgres(ql)?://[^/?]*)(/[^?]*)?(\?.*)?$'
    [[ $DATABASE_URL =~ $re ]] ||
        die "--database-url must look like postgres://user:password@host:port/db"
    PG_DB_URL="${BASH_REMATCH[1]}/$PG_DB${BASH_REMATCH[4]}"
}

pg_admin() { # SQL
    psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "$1" >/dev/null
}

pg_create_db() {
    PG_DB="assay_load_$(date +%Y%m%d_%H%M%S)_$$"
    pg_url_for
    if ! pg_admin "CREATE DATABASE \"$PG_DB\""; then
        local name=$PG_DB
        PG_DB=""  # nothing to drop
        die "could not create database $name on the server of --database-url (the role needs CREATEDB)"
    fi
}

pg_drop_db() {
    [[ -n $PG_DB ]] || return 0
    # WITH (FORCE) (PostgreSQL 13+) also ends connections a killed server left.
    pg_admin "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" 2>/dev/null ||
        pg_admin "DROP DATABASE IF EXISTS \"$PG_DB\"" ||
        printf 'warning: could not drop database %s; drop it by hand\n' "$PG_DB" >&2
    PG_DB=""
}

# --- the server ----------------------------------------------------------------

# A TCP port nothing on 127.0.0.1 answers on (the server fails clearly in the
# unlikely case that something takes it first).
free_port() {
    local port attempt
    for attempt in $(seq 50); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "found no free port after $attempt attempts"
}

# Sets STORE_ARGS / STORE_ENV for a fresh store of MODE. The PostgreSQL URL is
# passed in ASSAY_DATABASE_URL (the same as --database-url) so that its
# password does not show in the process list.
setup_store() { # MODE
    STORE_ARGS=()
    STORE_ENV=()
    case $1 in
        off | sqlite)
            DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/assay-load.XXXXXX")
            TEMP_DIRS+=("$DATA_DIR")
            STORE_ARGS=(--data-dir "$DATA_DIR")
            ;;
        postgres)
            pg_create_db
            STORE_ENV=("ASSAY_DATABASE_URL=$PG_DB_URL")
            ;;
    esac
}

# TOKEN := the token of a new integration key. `keys create` prints the token
# alone on stdout (and a note on stderr): take the last non-blank line.
create_key() {
    local output
    output=$(env "${STORE_ENV[@]}" "$ASSAY" keys "${STORE_ARGS[@]}" create \
        --role integration --name load --rate-limit "$KEY_RATE_LIMIT" 2>>"$SERVER_LOG") ||
        die "assay keys create failed (see $SERVER_LOG)"
    TOKEN=$(printf '%s\n' "$output" | awk 'NF { last = $1 } END { print last }')
    [[ $TOKEN =~ ^[A-Za-z0-9._~+/=-]{16,}$ ]] ||
        die "could not read a token from the output of 'assay keys create': $output"
}

start_server() { # RECORDS(on|off)
    local port
    port=$(free_port)
    BASE_URL="http://127.0.0.1:$port"
    env "${STORE_ENV[@]}" "$ASSAY" serve --listen "127.0.0.1:$port" --rate-limit 0 \
        --records "$1" "${STORE_ARGS[@]}" "${EXTRA_SERVE_ARGS[@]}" >>"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    wait_ready
}

wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fsS -o /dev/null --max-time 2 "$BASE_URL/readyz" 2>/dev/null; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$SERVER_LOG" >&2 || true
            SERVER_PID=""
            die "the server exited before it was ready (log: $SERVER_LOG)"
        fi
        ((SECONDS < deadline)) ||
            die "GET $BASE_URL/readyz did not answer 200 within ${READY_TIMEOUT}s (log: $SERVER_LOG)"
        sleep 0.1
    done
}

# Peak resident memory of the server so far, in kB.
peak_rss_kb() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?"
}

# SIGTERM, then wait (bounded) for a graceful exit; SIGKILL if it hangs.
# Returns the server's exit status.
stop_server() {
    local pid=$SERVER_PID status=0 deadline=$((SECONDS + STOP_TIMEOUT))
    [[ -n $pid ]] || return 0
    SERVER_PID=""
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        printf 'warning: the server did not stop within %ss of SIGTERM; killing it\n' "$STOP_TIMEOUT" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || status=$?
    return "$status"
}

# Fresh store, key and server for MODE; logs go to $OUT/LABEL-server.log.
bring_up() { # MODE LABEL
    local records=on
    [[ $1 == off ]] && records=off
    SERVER_LOG=$OUT/$2-server.log
    : >"$SERVER_LOG"
    setup_store "$1"
    create_key
    start_server "$records"
    log "$2: server $SERVER_PID ready at $BASE_URL (records $records)"
}

# Stops the server, noting an unclean exit.
stop_and_note() { # LABEL
    local status=0
    stop_server || status=$?
    ((status == 0)) || NOTES+=("$1: the server exited with status $status after SIGTERM (see $SERVER_LOG).")
}

# Drops the run's database or removes its data dir.
remove_store() {
    pg_drop_db
    if [[ -n $DATA_DIR ]]; then
        rm -rf -- "$DATA_DIR"
        DATA_DIR=""
    fi
}

# Evaluations in the store (after the server stopped), or "" if unknown.
stored_evaluations() { # MODE
    local sql='SELECT count(*) FROM evaluations'
    case $1 in
        off | sqlite)
            command -v sqlite3 >/dev/null 2>&1 || return 0
            [[ -f $DATA_DIR/assay.sqlite3 ]] || return 0
            sqlite3 "$DATA_DIR/assay.sqlite3" "$sql" 2>/dev/null || true
            ;;
        postgres)
            psql "$PG_DB_URL" -X -q -t -A -c "$sql" 2>/dev/null || true
            ;;
    esac
}

# Every 2xx that wrk saw was stored; a few more may be: requests in flight when
# wrk stopped, which the server still completed.
check_records() { # MODE SEEN_2XX
    local stored expected_max
    stored=$(stored_evaluations "$1")
    if [[ -z $stored ]]; then
        NOTES+=("$1: stored evaluations not checked (no sqlite3, or no store file found).")
        return
    fi
    if [[ $1 == off ]]; then
        if ((stored == 0)); then
            NOTES+=("$1: no evaluations stored (records off), as expected.")
        else
            NOTES+=("$1: WARNING: $stored evaluations stored with records off.")
        fi
        return
    fi
    expected_max=$(($2 + 2 * CONNECTIONS))
    if ((stored >= $2 && stored <= expected_max)); then
        NOTES+=("$1: $stored evaluations stored; wrk saw $2 answered 2xx (warm-up + run): plausible.")
    else
        NOTES+=("$1: WARNING: $stored evaluations stored, but wrk saw $2 answered 2xx (warm-up + run; expected $2 to $expected_max).")
    fi
}

# --- wrk -----------------------------------------------------------------------

# wrk runs in the background and is waited for, because bash runs a trap only
# once a foreground command has finished (a SIGTERM to this script alone would
# wait for the whole run), while `wait` returns at once on a trapped signal.
run_wrk() { # SECONDS OUTPUT-FILE
    local status=0
    ASSAY_LOAD_TOKEN=$TOKEN wrk --threads "$THREADS" --connections "$CONNECTIONS" \
        --duration "${1}s" --latency --script "$LUA_SCRIPT" \
        "$BASE_URL/v1/evaluate" -- "$OUT/bodies.jsonl" >"$2" &
    WRK_PID=$!
    wait "$WRK_PID" || status=$?
    WRK_PID=""
    ((status == 0)) || die "wrk failed with status $status (output: $2)"
    grep -q '^@load rps ' "$2" || die "no results from evaluate.lua in $2"
}

# --- one mode ------------------------------------------------------------------

run_mode() { # MODE
    local mode=$1 wrk_out=$OUT/$1-wrk.txt warm_out=$OUT/$1-warmup.txt seen=0
    bring_up "$mode" "$mode"

    if ((WARMUP > 0)); then
        log "$mode: warming up for ${WARMUP}s"
        run_wrk "$WARMUP" "$warm_out"
        seen=$(metric "$warm_out" ok2xx)
    fi

    log "$mode: wrk for ${DURATION}s, $THREADS threads, $CONNECTIONS connections"
    run_wrk "$DURATION" "$wrk_out"
    sed '/^@load /d' "$wrk_out" >&2

    kill -0 "$SERVER_PID" 2>/dev/null || die "$mode: the server died during the run (see $SERVER_LOG)"
    local rss_kb
    rss_kb=$(peak_rss_kb)
    seen=$((seen + $(metric "$wrk_out" ok2xx)))

    stop_and_note "$mode"
    check_records "$mode" "$seen"
    remove_store
    add_row "$mode" "$wrk_out" "$rss_kb"
}

add_row() { # MODE WRK-OUTPUT RSS-KB
    local f=$2 non2xx socket errors rss statuses
    non2xx=$(metric "$f" non2xx)
    socket=$(metric "$f" socket_errors)
    errors=$((non2xx + socket))
    rss=$(awk -v kb="$3" 'BEGIN { if (kb == "?") print "?"; else printf "%.1f", kb / 1024 }')
    ROWS+=("| $1 | $(metric "$f" rps) | $(us_to_ms "$(metric "$f" p50_us)") | $(us_to_ms "$(metric "$f" p90_us)") | $(us_to_ms "$(metric "$f" p99_us)") | $errors | $rss |")
    if ((errors > 0)); then
        statuses=$(awk '$1 == "@load" && $2 == "status" && $3 !~ /^2/ { printf "%s%s x %s", sep, $4, $3; sep = ", " }' "$f")
        NOTES+=("$1: errors: non-2xx $non2xx${statuses:+ ($statuses)}; socket $socket (connect $(metric "$f" errors_connect), read $(metric "$f" errors_read), write $(metric "$f" errors_write), timeout $(metric "$f" errors_timeout)).")
    fi
}

# --- report --------------------------------------------------------------------

report() {
    local commit
    commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n $(git -C "$ROOT" status --porcelain 2>/dev/null || true) ]]; then
        commit="$commit + uncommitted changes"
    fi
    {
        echo "Load test of POST /v1/evaluate, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
        echo "wrk: ${DURATION}s after ${WARMUP}s warm-up, $THREADS threads, $CONNECTIONS connections, on the same machine as the server ($(nproc) cores)"
        ((${#EXTRA_SERVE_ARGS[@]} == 0)) || echo "assay serve extra options: ${EXTRA_SERVE_ARGS[*]}"
        echo
        echo "| mode | requests/s | p50 ms | p90 ms | p99 ms | errors | peak RSS MB |"
        echo "|------|-----------:|-------:|-------:|-------:|-------:|------------:|"
        printf '%s\n' "${ROWS[@]}"
        echo
        printf -- '- %s\n' "${NOTES[@]}"
    } | tee "$OUT/results.md"
    log "raw output and logs in $OUT/"
}

# --- cleanup -------------------------------------------------------------------

# On any exit: stop wrk and a running server, drop the run's database, remove temp dirs.
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $WRK_PID ]]; then
        kill -TERM "$WRK_PID" 2>/dev/null || true
        wait "$WRK_PID" 2>/dev/null || true
    fi
    if [[ -n $SERVER_PID ]]; then
        STOP_TIMEOUT=5 stop_server || true
    fi
    pg_drop_db
    local dir
    for dir in "${TEMP_DIRS[@]}"; do
        rm -rf -- "$dir"
    done
    exit "$status"
}

main() {
    parse_args "$@"
    check_prerequisites
    clear_assay_env
    trap cleanup EXIT
    trap 'log interrupted; exit 130' INT
    trap 'log terminated; exit 143' TERM

    build
    write_bodies
    if ((ALL_BODIES)); then
        use_all_bodies
    else
        bring_up off preflight
        preflight
        stop_and_note preflight
        remove_store
    fi

    local mode
    for mode in "${MODES[@]}"; do
        run_mode "$mode"
    done
    report
}

main "$@"
