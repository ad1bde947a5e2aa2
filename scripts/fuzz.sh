#!/usr/bin/env bash
# Fuzz the parsers of outside input (phone, 统一社会信用代码, user names, tags, service hours,
# policy TOML, calendar files and the holiday notice, uploads) with cargo-fuzz and libFuzzer,
# each target for a bounded time (default 30 s). Fails on the first crash; libFuzzer leaves the
# input that crashed under fuzz/artifacts/.
#
#     scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
# cargo-fuzz builds with the address sanitizer and coverage flags, which rustc takes only on
# nightly; RUSTC_BOOTSTRAP lets the stable toolchain accept them for this build alone.
export RUSTC_BOOTSTRAP=1
cd fuzz
cargo fuzz build -O
for target in $(cargo fuzz list); do
  mkdir -p "corpus/$target"
  echo "== fuzz $target ($secs s)"
  log="target/fuzz-$target.log"
  mkdir -p target
  if ! cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz target $target failed (the input is under fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units" "$log" || true
done
echo "fuzzing: every target ran $secs s without a crash"
