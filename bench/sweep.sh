#!/usr/bin/env bash
# keyhound organisation-sweep benchmark (issue 13).
#
#   bench/sweep.sh [--repos N] [--shards "1 2 4"] [--threads T] [--work DIR] [--regen]
#                  [--no-build] [--keyhound PATH] [--no-results] [--generate-only] [--no-warmup]
#   bench/sweep.sh --render RUN_DIR    # the report of an earlier run, from its raw data
#
# Generates N (default 1,000) git repositories deterministically under DIR (default
# $KEYHOUND_BENCH_DATA/sweep, /work/bench-data/sweep): a mix of sizes, ~5% leaking generated
# fake keys, a few broken. Then times one unsharded `keyhound scan --repos-file` (the
# single-run report, --format json) and, for each shard count in --shards, that many
# `keyhound scan --shard K/N --format jsonl` processes in parallel followed by
# `keyhound merge --format json`; checks with cmp that every merged report equals the
# single-run report byte for byte, and prints a Markdown table (wall time per configuration
# and per shard, CPU time, peak RSS, merge time). The table also replaces the sweep section
# of bench/RESULTS.md (unless --no-results). See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
DATA=${KEYHOUND_BENCH_DATA:-/work/bench-data}
WORK=$DATA/sweep
REPOS=1000
SHARDS="1 2 4"
THREADS=
REGEN=0
BUILD=1
RESULTS=1
GEN_ONLY=0
RENDER=
WARMUP=1
KEYHOUND=$REPO_DIR/target/release/keyhound

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
    case $1 in
        --repos) REPOS=$2; shift ;;
        --shards) SHARDS=$2; shift ;;
        --threads) THREADS=$2; shift ;;
        --work) WORK=$2; shift ;;
        --regen) REGEN=1 ;;
        --no-build) BUILD=0 ;;
        --keyhound) KEYHOUND=$2; BUILD=0; shift ;;
        --no-results) RESULTS=0 ;;
        --generate-only) GEN_ONLY=1; BUILD=0 ;;
        --render) RENDER=$2; BUILD=0; shift ;;
        --no-warmup) WARMUP=0 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $REPOS =~ ^[0-9]+$ ]] && ((REPOS >= 10)) || { echo "--repos must be a number >= 10" >&2; exit 2; }
for n in $SHARDS; do [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "--shards: not a shard count: $n" >&2; exit 2; }; done
[[ -z $THREADS || $THREADS =~ ^[1-9][0-9]*$ ]] || { echo "--threads must be a number" >&2; exit 2; }
for tool in git jq awk cmp; do command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }; done

log() { printf '[sweep %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
if ((BUILD)); then
    log "cargo build --release"
    (cd "$REPO_DIR" && cargo build --release --quiet)
fi
((GEN_ONLY)) || [[ -n $RENDER ]] || [[ -x $KEYHOUND ]] || { echo "no keyhound binary at $KEYHOUND (build it, or pass --keyhound)" >&2; exit 2; }
KEYHOUND_REV=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$REPO_DIR" diff --quiet HEAD -- src rules Cargo.toml Cargo.lock 2>/dev/null || KEYHOUND_REV="$KEYHOUND_REV (+ uncommitted changes)"

# ---------------------------------------------------------------------------------------
# The fleet. Every property of repository i comes from i alone (the awk generator seeds its
# Park-Miller PRNG with i: exact in any awk's doubles), so the same N gives the same fleet:
#   sizes     80% small (1-12 commits, 3-17 files), 16% medium (100-399 commits, 20-79
#             files), 4% large (800-1,499 commits, 200-499 files, plus a ~2 MB data file)
#   layout    30% non-bare with a checked-out work tree, 70% bare (like --clone-dir mirrors)
#   leaks     5% (i % 20 == 7): a Meetso key in settings.py, a MeetStream key in a TS client,
#             an `Authorization: Token` in a curl script, one Meetso key shared by ten
#             repositories, or a committed .env; a third of them removed again in a later
#             commit (history only). Keys are PRNG output in the rules' shapes: fake.
#   broken    2 packs overwritten with zeros in the middle, 1 pack truncated, 2 listed but
#             missing, 2 empty directories, 1 `git init` with no commit
# ---------------------------------------------------------------------------------------

FLEET=$WORK/fleet-$REPOS
LIST=$FLEET/repos.txt

# The fast-import stream of repository i on stdout.
generate_stream() {
    LC_ALL=C awk -v i="$1" '
    function rnd() { state = (state * 16807) % 2147483647; return state }
    function ri(n) { return rnd() % n }
    function key(len, seed,   s, k, saved) {
        saved = state; state = seed
        s = ""
        for (k = 0; k < len; k++) s = s substr(B62, ri(62) + 1, 1)
        state = saved
        return s
    }
    function line(   s, k, n) {
        n = 3 + ri(10)
        s = W[1 + ri(NW)]
        for (k = 1; k < n; k++) s = s " " W[1 + ri(NW)]
        return s
    }
    # File f as an inline blob, printed line by line (no string building: fast in any awk).
    function emit_file(f,   n, j) {
        n = 0
        for (j = 1; j <= LEN[f]; j++) n += length(L[f, j]) + 1
        printf "M 100644 inline %s\ndata %d\n", P[f], n
        for (j = 1; j <= LEN[f]; j++) print L[f, j]
    }
    function emit(path, text) {
        printf "M 100644 inline %s\ndata %d\n%s\n", path, length(text), text
    }
    function commit(msg) {
        t += 3600 + ri(86400)
        printf "commit refs/heads/main\ncommitter Dev %d <dev%d@example.com> %d +0000\ndata %d\n%s\n", i % 7, i % 7, t, length(msg), msg
    }
    BEGIN {
        B62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        NW = split("the a client request response handler config value return import from def class " \
            "function const let var if else for while error retry timeout user token session meeting " \
            "bot transcript record join leave webhook event payload json parse render test assert " \
            "mock build deploy stage main branch merge commit log debug info warn = == ( ) { } ; : , .", W, " ")
        state = 1 + (i * 7919) % 2147483646
        for (k = 0; k < 5; k++) rnd()
        EXT[0] = "py"; EXT[1] = "ts"; EXT[2] = "go"; EXT[3] = "md"; EXT[4] = "yaml"; EXT[5] = "txt"
        r = (i * 37) % 100
        if (r < 80)      { commits = 1 + ri(12);    files = 3 + ri(15);   lines = 10 + ri(50) }
        else if (r < 96) { commits = 100 + ri(300); files = 20 + ri(60);  lines = 20 + ri(60) }
        else             { commits = 800 + ri(700); files = 200 + ri(300); lines = 40 + ri(100) }
        t = 1500000000 + i * 86400
        for (f = 0; f < files; f++) {
            P[f] = sprintf("src/m%d/f%d.%s", f % 7, f, EXT[f % 6])
            LEN[f] = 1 + ri(2 * lines)
            for (j = 1; j <= LEN[f]; j++) L[f, j] = line()
        }
        leak = (i % 20 == 7) ? 1 + int(i / 20) % 5 : 0
        leak_at = leak ? 1 + ri(commits) : 0
        removed = leak && int(i / 20) % 3 == 0 && leak_at < commits
        for (c = 1; c <= commits; c++) {
            commit(c == 1 ? "initial import" : sprintf("change %d", c))
            if (c == 1) {
                for (f = 0; f < files; f++) emit_file(f)
                emit("README.md", sprintf("# service %d\n\nInternal service.\n", i))
                if (r >= 96) {
                    n = 0
                    for (j = 0; j < 100000; j++) { CSV[j] = sprintf("%d,%d,%d,%s", j, ri(100000), ri(1000), W[1 + ri(NW)]); n += length(CSV[j]) + 1 }
                    printf "M 100644 inline data/fixtures.csv\ndata %d\n", n
                    for (j = 0; j < 100000; j++) print CSV[j]
                }
            } else {
                n = 1 + ri(3)
                for (m = 0; m < n; m++) {
                    f = ri(files)
                    L[f, 1 + ri(LEN[f])] = line()
                    if (ri(3) == 0) L[f, ++LEN[f]] = line()
                    emit_file(f)
                }
            }
            if (c == leak_at) {
                if (leak == 1) emit("config/settings.py", "import os\n\nDEBUG = False\nMEETSO_API_KEY = \"mts_live_" key(32, 1000 + i) "\"\nTIMEOUT = 30\n")
                if (leak == 2) emit("src/meetstream.ts", "import { MeetStream } from \"meetstream\";\n\nconst client = new MeetStream({ apiKey: \"ms_" key(32, 2000 + i) "\" });\nexport default client;\n")
                if (leak == 3) emit("scripts/debug.sh", "#!/bin/sh\ncurl -s https://app.attendee.dev/api/v1/bots \\\n  -H \"Authorization: Token " key(40, 3000 + i) "\"\n")
                if (leak == 4) emit("deploy/env.sh", "export REGION=eu-west-1\nexport MEETSO_API_KEY=mts_live_" key(32, 4242) "\n")
                if (leak == 5) emit(".env", "PORT=8080\nMEETSO_API_KEY=mts_live_" key(32, 5000 + i) "\n")
            }
            if (removed && c == leak_at + 1) {
                split("config/settings.py src/meetstream.ts scripts/debug.sh deploy/env.sh .env", LP, " ")
                printf "D %s\n", LP[leak]
            }
            printf "\n"
        }
    }'
}

# Builds repository i (or its broken stand-in) and prints its list entry.
make_repo() {
    local i=$1 dir
    dir=$FLEET/r$(printf '%04d' "$i")
    case $i in
        211|611) echo "$dir"; return ;;                        # listed, missing
        333|733) mkdir -p "$dir"; echo "$dir"; return ;;       # an empty directory
        444) git init -q -b main "$dir"; echo "$dir"; return ;; # no commit yet
    esac
    if ((i % 10 < 3)); then
        git init -q -b main "$dir"
        generate_stream "$i" | git -C "$dir" fast-import --quiet
        git -C "$dir" reset -q --hard main
    else
        dir=$dir.git
        git init -q --bare -b main "$dir"
        generate_stream "$i" | git -C "$dir" fast-import --quiet
    fi
    case $i in
        97|497)  # zeros over 4 KiB in the middle of the pack
            local pack size
            pack=$(find "$dir" -name '*.pack' | head -1)
            size=$(stat -c %s "$pack")
            chmod u+w "$pack"
            dd if=/dev/zero of="$pack" bs=1 seek=$((size / 2)) count=4096 conv=notrunc status=none ;;
        897)     # a pack cut short
            local pack
            pack=$(find "$dir" -name '*.pack' | head -1)
            chmod u+w "$pack"
            truncate -s $(($(stat -c %s "$pack") * 6 / 10)) "$pack" ;;
    esac
    echo "$dir"
}

generate_fleet() {
    log "generating $REPOS repositories in $FLEET"
    rm -rf "$FLEET.partial"
    mkdir -p "$FLEET.partial"
    local start i
    start=$(now)
    FLEET=$FLEET.partial
    export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
    local jobs=$(($(nproc) > 1 ? $(nproc) : 1))
    for ((i = 0; i < REPOS; i++)); do
        make_repo "$i" >"$FLEET/.entry-$i" &
        while (($(jobs -rp | wc -l) >= jobs)); do
            wait -n || { echo "generating a repository failed" >&2; exit 1; }
        done
    done
    wait
    for ((i = 0; i < REPOS; i++)); do
        [[ -s $FLEET/.entry-$i ]] || { echo "generating repository $i failed" >&2; exit 1; }
        # final paths: the fleet directory is renamed once complete
        sed "s#$FLEET#${FLEET%.partial}#" "$FLEET/.entry-$i"
        rm "$FLEET/.entry-$i"
    done >"$FLEET/repos.txt"
    FLEET=${FLEET%.partial}
    rm -rf "$FLEET"
    mv "$FLEET.partial" "$FLEET"
    log "generated in $(secs "$start" "$(now)") s"
}

if [[ -z $RENDER ]]; then
    if ((REGEN)) || [[ ! -f $LIST ]]; then generate_fleet; fi
    FLEET_BYTES=$(du -sb "$FLEET" | cut -f1)
    log "fleet: $(wc -l <"$LIST") targets, $((FLEET_BYTES / 1000000)) MB on disk"
    ((GEN_ONLY)) && exit 0
fi

# ---------------------------------------------------------------------------------------
# The runs. Everything the report needs is written to the run directory, so --render DIR
# renders it again from disk: meta (key=value), single.*, shards-N/{shard-K.*,merge.*,wall}.
# ---------------------------------------------------------------------------------------

# CPU pressure (PSI): the share of time runnable tasks waited for a CPU over the last 60 s.
cpu_pressure() { awk '/^some/ {sub("avg60=", "", $3); print $3 "%"}' /proc/pressure/cpu 2>/dev/null || echo "n/a"; }
meta() { printf '%s=%s\n' "$1" "$2" >>"$OUT/meta"; }

run_all() {
    OUT=$WORK/run-$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$OUT"
    : >"$OUT/meta"
    meta repos "$REPOS"; meta shards "$SHARDS"; meta threads "$THREADS"; meta rev "$KEYHOUND_REV"
    meta list "$LIST"; meta fleet "$FLEET"; meta fleet_bytes "$FLEET_BYTES"
    meta load_start "$LOAD_START"; meta psi_start "$(cpu_pressure)"
    local thread_args=() n k dir start
    [[ -n $THREADS ]] && thread_args=(--threads "$THREADS")

    # One untimed pass first, so no timed run pays for reading the fleet into the page cache.
    if ((WARMUP)); then
        log "warm-up: keyhound scan --repos-file $LIST (untimed)"
        "$KEYHOUND" scan --repos-file "$LIST" "${thread_args[@]}" --format jsonl -o /dev/null \
            --exit-zero -q 2>/dev/null || true
    fi
    meta warmup "$( ((WARMUP)) && echo yes || echo no)"
    log "single run: keyhound scan --repos-file $LIST --format json"
    timed "$OUT/single.time" scan --repos-file "$LIST" "${thread_args[@]}" --format json \
        -o "$OUT/single.json" --exit-zero 2>"$OUT/single.log"
    check_exit "$OUT/single.time"
    for n in $SHARDS; do
        dir=$OUT/shards-$n
        mkdir -p "$dir"
        log "$n shard(s) in parallel, then merge"
        start=$(now)
        for ((k = 0; k < n; k++)); do
            timed "$dir/shard-$k.time" scan --repos-file "$LIST" --shard "$k/$n" "${thread_args[@]}" \
                --format jsonl -o "$dir/shard-$k.jsonl" --exit-zero 2>"$dir/shard-$k.log" &
        done
        wait
        secs "$start" "$(now)" >"$dir/wall"
        for ((k = 0; k < n; k++)); do check_exit "$dir/shard-$k.time"; done
        timed "$dir/merge.time" merge "$dir"/shard-*.jsonl --format json -o "$dir/merged.json" \
            --exit-zero 2>"$dir/merge.log"
        check_exit "$dir/merge.time"
    done
    meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"; meta psi_end "$(cpu_pressure)"
    meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
}

# Runs keyhound with its args under GNU time (when present); writes "wall user sys maxrss_KB
# exit" to $1.
timed() {
    local tfile=$1; shift
    local start code=0
    start=$(now)
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f '%U %S %M' -o "$tfile.gnu" "$KEYHOUND" "$@" || code=$?
    else
        "$KEYHOUND" "$@" || code=$?
        echo "0 0 0" >"$tfile.gnu"
    fi
    echo "$(secs "$start" "$(now)") $(tail -1 "$tfile.gnu") $code" >"$tfile"
    rm -f "$tfile.gnu"
}

# Exit 0 with --exit-zero; anything else is a failed run.
check_exit() {
    local code
    code=$(awk '{print $5}' "$1")
    [[ $code == 0 ]] || { echo "keyhound exited $code ($1); see ${1%.time}.log" >&2; exit 1; }
}

# Column helpers over shards-N/shard-*.time: "wall user sys maxrss_KB exit".
each() { local d=$1 f=$2; ls "$d"/shard-*.time | sort -V | xargs cat | awk -v f="$f" '{printf "%s ", (f == "cpu") ? sprintf("%.2f", $2 + $3) : $1}'; }
column_max() { cat "$1"/shard-*.time | awk -v c="$2" -v div="$3" -v f="$4" '$c > m {m = $c} END {printf f, m / div}'; }
cpu_sum() { cat "$1"/shard-*.time | awk '{c += $2 + $3} END {printf "%.2f", c}'; }

# The report of run directory $OUT: table.md, RESULTS-sweep.md; sets SAME.
render() {
    local -A M
    local key value n dir same each_wall each_cpu targets
    while IFS='=' read -r key value; do M[$key]=$value; done <"$OUT/meta"
    SAME=1
    TABLE=$OUT/table.md
    {
        echo "| configuration | wall (s) | each shard: wall (s) | each shard: CPU (s) | targets per shard | CPU total (s) | peak RSS (MB) | merge (s) | merged = single |"
        echo "|---|---:|---|---|---|---:|---:|---:|---|"
        awk -v t="$(wc -l <"${M[list]}" | tr -d ' ')" '{printf "| single run, `--format json` | %.2f | — | — | %s | %.2f | %.0f | — | (reference) |\n", $1, t, $2 + $3, $4 / 1024}' "$OUT/single.time"
        for n in ${M[shards]}; do
            dir=$OUT/shards-$n
            # The json report of a sweep has no run-dependent field (no duration), so the
            # merged report must be the single run's byte for byte: nothing is normalised.
            # (The jsonl shard streams differ run to run: each target record's duration_ms.)
            if cmp -s "$dir/merged.json" "$OUT/single.json"; then same=yes; else
                same=NO; SAME=0
                diff <(jq -S . "$OUT/single.json") <(jq -S . "$dir/merged.json") | head -20 >&2 || true
            fi
            each_wall=$(each "$dir" wall)
            each_cpu=$(each "$dir" cpu)
            targets=$(for f in $(ls "$dir"/shard-*.jsonl | sort -V); do jq -c 'select(.type == "target")' "$f" | wc -l | tr -d ' '; done | paste -sd/)
            echo "| $n shard(s) in parallel + merge | $(cat "$dir/wall") | ${each_wall% } | ${each_cpu% } | $targets | $(cpu_sum "$dir") | $(column_max "$dir" 4 1024 %.0f) | $(awk '{print $1}' "$dir/merge.time") | $same |"
        done
    } >"$TABLE"

    # Per-target cost in one process: the durations the first split's shard 0 records.
    local first stream per_target report
    first=$(set -- ${M[shards]}; echo "$1")
    stream=$OUT/shards-$first/shard-0.jsonl
    per_target=$(jq -s -r '
        [.[] | select(.type == "target")] as $t
        | ($t | map(.duration_ms) | sort) as $d
        | ($t | map(select(.bytes < 100000) | .duration_ms) | sort) as $s
        | "\($t | length) targets in shard 0/'"$first"': duration_ms median \($d[($d | length) / 2 | floor]), p90 \($d[($d | length) * 9 / 10 | floor]), max \($d[-1]), sum \($d | add); the \($s | length) targets under 100 kB: median \($s[($s | length) / 2 | floor]) ms, sum \($s | add) ms"' "$stream")
    report=$(jq -r '"\(.targets.scanned) scanned, \(.targets.failed | length) failed, \(.findings | length) findings, \(.secrets | length) distinct secrets"' "$OUT/single.json")

    SECTION=$OUT/RESULTS-sweep.md
    {
        echo "<!-- bench/sweep.sh: this section is rewritten by bench/sweep.sh -->"
        echo "## Organisation sweep: ${M[repos]} repositories, sharded and merged"
        echo
        echo "- date: ${M[date]}; keyhound ${M[rev]}; warm-up pass before the timed runs: ${M[warmup]:-no}; command: \`bench/sweep.sh --repos ${M[repos]} --shards \"${M[shards]}\"${M[threads]:+ --threads ${M[threads]}}\`"
        echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at start: ${M[load_start]}, at end: ${M[load_end]}; CPU pressure (PSI some avg60: share of time runnable tasks waited for a CPU) at start: ${M[psi_start]}, at end: ${M[psi_end]}"
        echo "- fleet: $(wc -l <"${M[list]}" | tr -d ' ') targets, $((M[fleet_bytes] / 1000000)) MB on disk (${M[fleet]}); report: $report"
        echo "- raw data: $OUT"
        echo
        cat "$TABLE"
        echo
        echo "wall = start of the first shard to the end of the last; CPU = user+sys (GNU time), total"
        echo "summed over the shards; merged = single: \`cmp\` of the merged \`--format json\` report"
        echo "against the single run's (nothing normalised: a sweep's json report has no duration)."
        echo
        echo "Per-target cost: $per_target."
        [[ -f $OUT/notes.md ]] && { echo; cat "$OUT/notes.md"; }
        echo "<!-- bench/sweep.sh end -->"
    } >"$SECTION"
}

if [[ -n $RENDER ]]; then
    OUT=$(cd "$RENDER" && pwd)
else
    run_all
fi
render

if ((RESULTS)); then
    results=$BENCH_DIR/RESULTS.md
    if [[ -f $results ]]; then
        awk '/^<!-- bench\/sweep.sh:/ {skip = 1} !skip {print} /^<!-- bench\/sweep.sh end -->/ {skip = 0}' "$results" |
            sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$OUT/RESULTS.prev"
        { cat "$OUT/RESULTS.prev"; echo; cat "$SECTION"; } >"$results"
    else
        cp "$SECTION" "$results"
    fi
    log "section written to $results"
fi
cat "$SECTION"
((SAME)) || { echo "a merged report differs from the single run" >&2; exit 1; }
