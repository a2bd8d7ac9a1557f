#!/usr/bin/env bash
# Runs test steps in order, stops at the first failure and names it, and
# finishes with one line summing every layer's "test result" lines:
#
#     N passed, 0 failed
#
# Usage: scripts/test.sh STEP...   (make test runs them all, in this order)
#   fmt          cargo fmt --check
#   clippy       clippy -D warnings, native, whole workspace, all targets
#   clippy-wasm  clippy -D warnings, wasm32, the crates that run in the browser:
#                all targets of the app, durable-web and durable-leptos (their
#                tests run in Chromium), the libraries of durable and dungeon (their tests
#                are native only and may use native-only dev-dependencies)
#   native       native unit, integration and doc tests (all but e2e), then
#                durable's telemetry test with its tracing feature on
#   doc          the runtime crates' rustdoc (durable, durable-web,
#                durable-leptos, durable-dashboard) builds without a warning
#                (broken links, missing docs)
#   wasm         wasm-bindgen-test suites in headless Chromium
#   release      trunk build --release (into dist/), the update drill's
#                build (feature update-drill) into target/dist-update-drill/,
#                and the example shop into examples/shop/dist/
#   e2e          end-to-end tests against dist/ in headless Chromium
#
# Each step's output is also written to target/test-logs/NN-STEP.log.
# The tools come from scripts/setup.sh; the Makefile runs it first.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TOOL_ROOT="${TOOL_ROOT:-$HOME/.cargo}"
# wasm-opt 132 must win over any older one on the system.
export PATH="$TOOL_ROOT/binaryen/node_modules/.bin:$TOOL_ROOT/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"

WASM=wasm32-unknown-unknown

LOG_DIR="$ROOT/target/test-logs"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log

passed=0
failed=0
number=0

# run NAME COMMAND...: runs one command, tees it to its log, adds up its
# "test result" lines, and exits the script if it fails.
run() {
    local name="$1" log status started elapsed counts
    shift
    number=$((number + 1))
    log="$LOG_DIR/$(printf '%02d' "$number")-$name.log"
    printf '\n==> [%s] %s\n' "$name" "$*"
    started=$SECONDS
    "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    elapsed=$((SECONDS - started))
    # cargo test and wasm-bindgen-test-runner both print, per test binary:
    #   test result: ok. 4 passed; 0 failed; ...
    counts="$(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log" |
        awk '{ p += $1; f += $2 } END { print p + 0, f + 0 }')"
    passed=$((passed + ${counts% *}))
    failed=$((failed + ${counts#* }))
    if ((status != 0)); then
        printf '\n%s passed, %s failed so far\n' "$passed" "$failed"
        printf 'FAILED: step "%s" (exit status %s, %ss): %s\n' "$name" "$status" "$elapsed" "$*"
        printf 'log: %s\n' "${log#"$ROOT"/}"
        exit "$status"
    fi
    printf '==> [%s] ok (%ss)\n' "$name" "$elapsed"
}

(($# > 0)) || {
    echo "usage: $0 fmt|clippy|clippy-wasm|native|doc|wasm|release|e2e..." >&2
    exit 2
}
for step in "$@"; do
    case "$step" in
        fmt) run fmt cargo fmt --all -- --check ;;
        clippy) run clippy cargo clippy --workspace --all-targets -- -D warnings ;;
        clippy-wasm)
            run clippy-wasm cargo clippy --target "$WASM" -p durable-dungeon -p durable-web -p durable-leptos -p durable-dashboard -p shop --all-targets -- -D warnings
            run clippy-wasm-core cargo clippy --target "$WASM" -p durable -p dungeon --lib -- -D warnings
            ;;
        native)
            run native cargo test --workspace --exclude e2e
            # The tracing spans: a feature no test above turns on.
            run native-tracing cargo test -p durable --features tracing --test telemetry
            ;;
        doc) run doc env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p durable -p durable-web -p durable-leptos -p durable-dashboard ;;
        wasm)
            # --lib --tests: doc tests run natively, in the native step.
            run wasm-app cargo test --target "$WASM" -p durable-dungeon --lib --tests
            run wasm-durable-web cargo test --target "$WASM" -p durable-web --lib --tests
            run wasm-durable-leptos cargo test --target "$WASM" -p durable-leptos --lib --tests
            run wasm-durable-dashboard cargo test --target "$WASM" -p durable-dashboard --lib --tests
            run wasm-shop cargo test --target "$WASM" -p shop --lib --tests
            ;;
        release)
            run release trunk build --release
            # The next release for the update test (tests/e2e/tests/update.rs);
            # the features go through the environment so that the dashboard's
            # build (a post_build hook) gets them too.
            run release-update-drill env TRUNK_BUILD_FEATURES=update-drill \
                trunk build --release --dist target/dist-update-drill
            # The example app, into examples/shop/dist (tests/e2e/tests/shop.rs).
            run release-shop sh -c 'cd examples/shop && trunk build --release'
            ;;
        e2e) run e2e cargo test -p e2e ;;
        *)
            echo "unknown step: $step" >&2
            exit 2
            ;;
    esac
done

# The last line, for people and for CI.
printf '\n%s passed, %s failed\n' "$passed" "$failed"
((failed == 0))
