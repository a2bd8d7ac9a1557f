# Durable Dungeon: build, serve and test. See README.md.
#
#   make serve        build and serve the app on http://127.0.0.1:8080
#   make serve-shop   build and serve the example shop on http://127.0.0.1:8081
#   make test         every check and test layer, in order; last line "N passed, 0 failed"
#   make test-native  native tests only
#   make test-wasm    wasm-bindgen-test suites in headless Chromium only
#   make test-e2e     release build + end-to-end tests only
#   make bench        the runtime's benchmarks: native core, then IndexedDB in Chromium
#   make soak         the native simulations over a million seeds (SEEDS=n to change)
#   make histories    record this release's workflow histories for the compatibility gate
#   make setup        install every tool the above need (done by each target anyway)

# Where tools are installed: cargo tools into $(TOOL_ROOT)/bin, npm binaryen
# (wasm-opt) into $(TOOL_ROOT)/binaryen.
TOOL_ROOT ?= $(HOME)/.cargo
export TOOL_ROOT

# wasm-opt from binaryen@132 first: Debian's binaryen is too old.
export PATH := $(TOOL_ROOT)/binaryen/node_modules/.bin:$(TOOL_ROOT)/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 120

SETUP := scripts/setup.sh
TEST := scripts/test.sh

# Tools per purpose (see scripts/setup.sh for what each installs).
TOOLS_SERVE := wasm-target trunk wasm-bindgen
TOOLS_WASM := wasm-target wasm-bindgen browser
TOOLS_ALL := wasm-target trunk wasm-bindgen wasm-opt browser axe

.PHONY: setup serve serve-shop test test-native test-wasm test-e2e bench soak histories

setup:
	$(SETUP) $(TOOLS_ALL)

serve:
	$(SETUP) $(TOOLS_SERVE)
	trunk serve

serve-shop:
	$(SETUP) $(TOOLS_SERVE)
	cd examples/shop && trunk serve

test:
	$(SETUP) $(TOOLS_ALL)
	$(TEST) fmt clippy clippy-wasm native doc wasm release e2e

test-native:
	$(TEST) native

test-wasm:
	$(SETUP) $(TOOLS_WASM)
	$(TEST) wasm

test-e2e:
	$(SETUP) $(TOOLS_ALL)
	$(TEST) release e2e

soak:
	cargo run --release -p durable --example soak

histories:
	cargo run -p dungeon --example record_histories

bench:
	$(SETUP) $(TOOLS_ALL)
	cargo run --release -p durable --example bench
	@mkdir -p target
	@for case in durable-web:browser durable-dungeon:dashboard durable-dungeon:commands durable-dungeon:keypress; do \
		pkg=$${case%%:*}; name=$${case#*:}; log=target/bench-$$name.log; \
		RUSTFLAGS="--cfg durable_bench" WASM_BINDGEN_TEST_TIMEOUT=600 \
		cargo test --release -p $$pkg --target wasm32-unknown-unknown --bench $$name -- --nocapture \
		> $$log 2>&1; status=$$?; \
		grep -E '^ *BENCH|panicked' $$log | sed -e 's/^ *//' -e 's/^BENCH //' | awk '!seen[$$0]++'; \
		[ $$status -eq 0 ] || exit $$status; \
	done
	@trunk build --release > target/bench-release.log 2>&1 || { tail -20 target/bench-release.log; exit 1; }; \
		scripts/bundle-size.sh dist | sed -e 's/^BUNDLE //'
