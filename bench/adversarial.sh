#!/usr/bin/env bash
# Adversarial inputs for the detector (issue 16 #6, issue 15): one-line files that made the
# old detector quadratic. Generates them under $KEYHOUND_BENCH_DATA/adversarial (default
# /work/bench-data) and times `keyhound scan --no-history` on each.
#
#   bench/adversarial.sh [KEYHOUND_BINARY]
#
#   keys-10mb      10 MB, one line, ~177k generated (fake) mts_live_ keys separated by spaces
#   keywords-7.5mb 7.5 MB, one line, keywords only (authorization bearer zoom), no secret
#   keywords-50mb  50 MB, one line, ~5 M keyword hits, no secret
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
PY
for d in keys-10mb keywords-7.5mb keywords-50mb; do
    /usr/bin/time -f "$d: %e s wall, %M KB peak RSS" \
        "$KEYHOUND" scan --no-history --threads 2 --max-file-size 64MiB --format json --output /dev/null "$DATA/$d" || true
done
