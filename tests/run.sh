#!/usr/bin/env bash
# The one command that runs every test (README; .ci/run calls exactly this).
#
#   1. installs what is missing (deploy/local/install-deps.sh)
#   2. builds twice: the normal build and an ASan+UBSan build
#   3. the fresh-machine check of the stack (ctest -L stack): a stack of its
#      own (own run folder and ports) destroyed, brought up and every topic
#      used at once, then destroyed; before the shared stack, so the two
#      Kafkas never run together
#   4. brings the real stack up once (Kafka, PostgreSQL, Redis on loopback)
#   5. unit tests (ctest -L unit), then the same under valgrind (no leaks)
#   6. unit tests and the integration smoke test in the sanitizer build
#   7. every libFuzzer target (tests/fuzz) for CS_FUZZ_SECONDS (60) each (clang-14)
#   8. integration and fault tests against the real stack (ctest -L integration)
#
# Real-stack tests fail when a server is missing; none is skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${CS_JOBS:-2}
t0=$(date +%s)
step() { printf '\n=== %s (%ds)\n' "$*" $(( $(date +%s) - t0 )); }

step "dependencies"
bash deploy/local/install-deps.sh

step "build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

step "build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCS_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"

fail=0
passed_total=0
failed_total=0
# Runs ctest in a build dir, adds its counts to the totals.
run_ctest() {
  local dir=$1; shift
  local log; log=$(mktemp)
  local rc=0
  (cd "$dir" && ctest "$@") 2>&1 | tee "$log" || rc=1
  local line; line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -n "$line" ]; then
    local f t
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    t=$(echo "$line" | sed -E 's/.* tests failed out of ([0-9]+).*/\1/')
    passed_total=$((passed_total + t - f)); failed_total=$((failed_total + f))
  fi
  rm -f "$log"
  return $rc
}

step "fresh-stack check (a stack of its own: destroy, up, every topic at once, destroy)"
run_ctest build -L stack --output-on-failure || fail=1

step "stack up"
export CS_BUILD_DIR=$root/build
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
export CS_SHOPS_FILE=$root/deploy/config/shops.sample.json

step "unit tests"
run_ctest build -L unit --output-on-failure -j"$jobs" || fail=1

step "unit tests under valgrind"
vg_fail=0
for t in build/tests/unit_*; do
  [ -x "$t" ] || continue
  if ! CS_SOURCE_DIR=$root CS_TEST_DATA=$root/tests/data valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
       --error-exitcode=99 "$t" >/dev/null 2>"build/$(basename "$t").valgrind"; then
    echo "valgrind: $(basename "$t") failed:"; tail -n 30 "build/$(basename "$t").valgrind"; vg_fail=1
  fi
done
if [ $vg_fail = 0 ]; then echo "valgrind: every unit test clean"; passed_total=$((passed_total + 1)); else fail=1; failed_total=$((failed_total + 1)); fi

step "unit tests and integration smoke test (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest build-asan -L unit --output-on-failure -j"$jobs" || fail=1
run_ctest build-asan -L smoke --output-on-failure || fail=1

step "fuzzing the decoders of external input (libFuzzer, clang-14, ${CS_FUZZ_SECONDS:-60} s each)"
# Every tests/fuzz/fuzz_<name>.c (the webhook mapping, a consumed Kafka
# value, the shops file, a timer's Redis member, the SMS/IM provider's
# answer) runs for CS_FUZZ_SECONDS (default 60) on a copy of its seed corpus
# tests/fuzz/corpus/<name>, with tests/fuzz/<name>.dict when there is one;
# a crash, leak, UB or broken result fails the suite. The committed seeds
# never grow; a crashing input is left in build-fuzz/ (<name>-crash-*) to
# be added to the corpus once fixed (docs/operations.md, "Fuzzing"). Each
# target counts as one test in the tally, as the valgrind step does.
fz_secs=${CS_FUZZ_SECONDS:-60}
fz_targets="map envelope shops timer_member provider"
fz_built=0
if cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCS_FUZZ=ON >/dev/null &&
   cmake --build build-fuzz -j"$jobs" --target fuzz; then
  fz_built=1
fi
for fz in $fz_targets; do
  fz_ok=0
  if [ $fz_built = 1 ]; then
    fz_corpus=$(mktemp -d)
    cp tests/fuzz/corpus/"$fz"/* "$fz_corpus"/
    fz_dict=()
    [ -f tests/fuzz/"$fz".dict ] && fz_dict=(-dict=tests/fuzz/"$fz".dict)
    if build-fuzz/tests/fuzz_"$fz" -max_total_time="$fz_secs" -timeout=10 -rss_limit_mb=2048 "${fz_dict[@]}" \
         -artifact_prefix=build-fuzz/"$fz"- "$fz_corpus" >build-fuzz/fuzz_"$fz".log 2>&1; then
      fz_ok=1
    fi
    grep -E '^Done [0-9]+ runs' build-fuzz/fuzz_"$fz".log || tail -n 40 build-fuzz/fuzz_"$fz".log
    rm -rf "$fz_corpus"
  fi
  if [ $fz_ok = 1 ]; then
    echo "fuzz: fuzz_$fz found no crash"
    passed_total=$((passed_total + 1))
  else
    echo "fuzz: fuzz_$fz FAILED (build-fuzz/fuzz_$fz.log)"
    fail=1
    failed_total=$((failed_total + 1))
  fi
done

step "integration and fault tests (real Kafka, PostgreSQL, Redis)"
run_ctest build -L integration -LE smoke --output-on-failure || fail=1

step "done"
if [ $fail = 0 ]; then echo "all test groups passed"; else echo "some test groups FAILED"; fi
# The closing tally across every ctest run above (valgrind and each fuzz target count as one each).
echo "${passed_total} passed, ${failed_total} failed"
exit $fail
