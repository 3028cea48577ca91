#!/usr/bin/env bash
# Runs every test binary given on the command line (make test passes the unit tests
# first, then the integration tests), prints each one's cmocka output, and ends with
# one summary line: "tests: N passed, N failed". Exit status 1 if anything failed.
set -u
# Tests share /tmp/archbench-bench.lock (benchmarks take it alone): a benchmark never
# measures a machine that is also running a test suite, and tests wait for it.
if [ -z "${ARCHBENCH_TESTS_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  exec env ARCHBENCH_TESTS_LOCKED=1 flock -s /tmp/archbench-bench.lock "$0" "$@"
fi
logs=build/tests/logs
rm -rf "$logs"
mkdir -p "$logs"
export ARCHBENCH_TEST_LOGS=$PWD/$logs

passed=0 failed=0 broken=()
for t in "$@"; do
  name=$(basename "$t")
  echo "== $name"
  out=$("$t" 2>&1)
  rc=$?
  echo "$out"
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' <<<"$out" | tail -n1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' <<<"$out" | tail -n1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$rc" -ne 0 ]; then
    broken+=("$name")
    # A crash or a failed setup reports no counts: still count it as a failure.
    [ -z "$f" ] && failed=$((failed + 1))
  fi
done

if [ ${#broken[@]} -gt 0 ]; then
  echo
  echo "failed: ${broken[*]}"
  for l in "$logs"/*.log; do
    [ -s "$l" ] || continue
    echo "--- last lines of $l"
    tail -n 20 "$l"
  done
fi
echo
echo "tests: $passed passed, $failed failed"
[ ${#broken[@]} -eq 0 ]
