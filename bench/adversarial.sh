#!/usr/bin/env bash
# Adversarial inputs (issue 16 #6, #7, #12, issue 15): one-line files that made the old
# detector quadratic, many files, symlink loops, FIFOs, links to endless devices. Generates
# them under $KEYHOUND_BENCH_DATA/adversarial (default /work/bench-data) and times
# `keyhound scan --no-history` on each.
#
#   bench/adversarial.sh [KEYHOUND_BINARY]
#
#   keys-10mb      10 MB, one line, ~177k generated (fake) mts_live_ keys separated by spaces
#   keywords-7.5mb 7.5 MB, one line, keywords only (authorization bearer zoom), no secret
#   keywords-50mb  50 MB, one line, ~5 M keyword hits, no secret
#   files-100k     100,000 small files in 100 directories plus one with a key
#   symlink-loops  a -> b -> a, a self-link, 1,000 two-link loops, a directory link to its
#                  parent, and one file with a key
#   fifos          1,000 FIFOs next to one file with a key (never opened)
#   gitignore-zero a committed-style `.gitignore -> /dev/zero` next to a file with a key
#   config-pagemap `.keyhound.toml -> /proc/self/pagemap` (refused, exit 2)
#   /dev/zero      given as the target (nothing to scan, exit 2)
#
# Each line prints wall time, peak RSS and exit status (GNU time).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KEYHOUND=${1:-$BENCH_DIR/../target/release/keyhound}
DATA=${KEYHOUND_BENCH_DATA:-/work/bench-data}/adversarial
mkdir -p "$DATA"
python3 - "$DATA" <<'PY'
import os, random, sys
root = sys.argv[1]
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
def write(name, produce):
    d = os.path.join(root, name)
    path = os.path.join(d, "one.txt")
    if os.path.exists(path):
        return
    os.makedirs(d, exist_ok=True)
    with open(path, "w") as f:
        produce(f)
rng = random.Random(16)
def keys(f):
    f.write(" ".join("mts_live_" + "".join(rng.choice(alphabet) for _ in range(47)) for _ in range(177_000)))
write("keys-10mb", keys)
write("keywords-7.5mb", lambda f: f.write(" authorization bearer zoom " * 277_000))
write("keywords-50mb", lambda f: f.write(" authorization bearer zoom " * 1_850_000))
KEY = "mts_live_Q7fLr2ZxW9kPm4Tb8NcVy1HdJ6sGa3Ue"  # the tests' generated fake key  keyhound:allow
def tree(name, build):
    d = os.path.join(root, name)
    if os.path.exists(os.path.join(d, "leak.py")):
        return
    os.makedirs(d, exist_ok=True)
    build(d)
    with open(os.path.join(d, "leak.py"), "w") as f:
        f.write('K = "%s"\n' % KEY)
def files(d):
    for i in range(100):
        sub = os.path.join(d, "d%03d" % i)
        os.makedirs(sub, exist_ok=True)
        for j in range(1000):
            with open(os.path.join(sub, "f%04d.txt" % j), "w") as f:
                f.write("x = 1\n")
def loops(d):
    os.symlink("b", os.path.join(d, "a"))
    os.symlink("a", os.path.join(d, "b"))
    os.symlink("self", os.path.join(d, "self"))
    os.makedirs(os.path.join(d, "sub"), exist_ok=True)
    os.symlink("..", os.path.join(d, "sub", "up"))
    for i in range(1000):
        os.symlink("y%d" % i, os.path.join(d, "x%d" % i))
        os.symlink("x%d" % i, os.path.join(d, "y%d" % i))
def fifos(d):
    for i in range(1000):
        os.mkfifo(os.path.join(d, "pipe%d" % i))
def gitignore_zero(d):
    os.symlink("/dev/zero", os.path.join(d, ".gitignore"))
def config_pagemap(d):
    os.symlink("/proc/self/pagemap", os.path.join(d, ".keyhound.toml"))
tree("files-100k", files)
tree("symlink-loops", loops)
tree("fifos", fifos)
tree("gitignore-zero", gitignore_zero)
tree("config-pagemap", config_pagemap)
PY
for d in keys-10mb keywords-7.5mb keywords-50mb files-100k symlink-loops fifos gitignore-zero config-pagemap /dev/zero; do
    target=$DATA/$d
    [[ $d == /* ]] && target=$d
    # A hang is a failure: each run is killed after two minutes.
    /usr/bin/time -f "$d: %e s wall, %M KB peak RSS, exit %x" \
        timeout 120 "$KEYHOUND" scan --no-history --threads 2 --max-file-size 64MiB --quiet \
        --format json --output /dev/null "$target" || true
done
