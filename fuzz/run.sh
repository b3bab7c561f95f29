#!/usr/bin/env bash
# Runs each keyhound fuzz target for a bounded time, one target after the other, one
# libFuzzer process each (the targets are CPU-heavy), seeded from the test corpus, the rule
# files and generated git packs. Corpus growth and crash artifacts stay under fuzz/ and are
# gitignored.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     default: 120 s, every target
#   SANITIZER=address fuzz/run.sh 120 pack            with AddressSanitizer (slower)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and git. Works on a stable
# toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its -Z flags. Every requested target
# runs, even after one fails; at the end a line per target says `clean` with its execution
# count, or FAILED with its log and artifacts, and the script exits 1 if any target found a
# crash, a timeout or an out-of-memory input (or did not build).
set -euo pipefail

seconds=${1:-120}
shift || true
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(detect rules_config gitignore pack)
fi
sanitizer=${SANITIZER:-none}
export RUSTC_BOOTSTRAP=1

seeds="$here/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{detect,rules_config,gitignore,pack} "$here/logs"

# detect: every file of the detection corpus (real-looking leaks and look-alikes).
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  cp "$f" "$seeds/detect/corpus-$n"
done < <(find "$root/tests/corpus/positive" "$root/tests/corpus/negative" -type f -print0)

# rules_config: the built-in rule files and the starter config.
cp "$root"/rules/*.toml "$seeds/rules_config/"
cp "$root/src/starter.keyhound.toml" "$seeds/rules_config/"

# gitignore: root .gitignore NUL sub/.gitignore NUL paths (one a line).
printf '.env\n!.env.example\n/config/*.env\n**/secrets/\n\\#not-a-comment\ntrailing\\ \\ \n' >"$seeds/gitignore/basic"
printf '\0*.local\n!keep.local\n\0.env\nsub/a.local\nsub/keep.local\nconfig/prod.env\nx/secrets/k\n' >>"$seeds/gitignore/basic"
printf '\xef\xbb\xbf.env \r\n[Ee]nv/\r\n.gitingore\n\0\0.env\nEnv/x\n.gitingore\n' >"$seeds/gitignore/bom-crlf"

# pack: u32 LE length of the .idx, the .idx, the .pack, for small real packs with deltas.
le32() {
  local v=$1
  printf "\\x$(printf %02x $((v & 255)))\\x$(printf %02x $(((v >> 8) & 255)))\\x$(printf %02x $(((v >> 16) & 255)))\\x$(printf %02x $(((v >> 24) & 255)))"
}
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
git -C "$repo" init -q
for i in 1 2 3; do
  {
    printf 'MEETSO_API_KEY=mts_live_fuzzseed%032d\n' "$i"
    seq 1 40
  } >"$repo/app.env"
  printf 'v%s\n' "$i" >"$repo/v.txt"
  git -C "$repo" add -A
  git -C "$repo" -c user.name=fuzz -c user.email=fuzz@example.invalid commit -qm "v$i"
done
git -C "$repo" repack -adfq --depth=5
for idx in "$repo"/.git/objects/pack/*.idx; do
  { le32 "$(wc -c <"$idx")"; cat "$idx" "${idx%.idx}.pack"; } >"$seeds/pack/history"
done

declare -A max_len=([detect]=16384 [rules_config]=8192 [gitignore]=4096 [pack]=65536)
cd "$root"
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
  log="$here/logs/$t.log"
  echo "== $t: ${seconds}s"
  status=0
  cargo fuzz run --sanitizer "$sanitizer" "$t" "$here/corpus/$t" "$seeds/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$t]:-4096}" \
    -artifact_prefix="$here/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(Done|INFO: seed corpus|stat::number_of_executed_units|==[0-9]+==|SUMMARY|.*panicked)' "$log" || true
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$status" -ne 0 ] || grep -qE 'ERROR: libFuzzer|panicked at|SUMMARY: |Test unit written' "$log"; then
    failed+=("$t")
    summary+=("$t: FAILED (exit $status, ${execs:-0} executions), see $log and $here/artifacts/$t/")
  else
    summary+=("$t: clean for ${seconds}s, ${execs:-?} executions")
  fi
done

echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), sanitizer $sanitizer)"
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
