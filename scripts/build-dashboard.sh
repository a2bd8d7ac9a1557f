#!/bin/sh
# Run by scripts/post-build.sh (trunk post_build): builds the workflow dashboard's own module (the
# `dashboard` binary) beside the game's, as dashboard.js + dashboard_bg.wasm
# in trunk's staging directory. The game loads it only when the dashboard
# is opened, so the game's first load does not carry it.
set -eu

profile=${TRUNK_PROFILE:-debug}
target_dir=${CARGO_TARGET_DIR:-target}
out=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}

if [ "$profile" = release ]; then
    cargo build --release --target wasm32-unknown-unknown --bin dashboard
else
    cargo build --target wasm32-unknown-unknown --bin dashboard
fi
wasm-bindgen --target web --no-typescript --out-name dashboard --out-dir "$out" \
    "$target_dir/wasm32-unknown-unknown/$profile/dashboard.wasm"
if [ "$profile" = release ]; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        -o "$out/dashboard_bg.wasm" "$out/dashboard_bg.wasm"
fi
