#!/bin/sh
# Run by scripts/post-build.sh (trunk post_build): builds the workflow dashboard's own module (the
# binary DASHBOARD_BIN, `dashboard` by default) beside the app's, as dashboard-<hash>.js and
# dashboard-<hash>_bg.wasm in trunk's staging directory, and names it in the
# page (<meta name="dashboard-module">). The game loads it only when the dashboard
# is opened, so the game's first load does not carry it.
set -eu

profile=${TRUNK_PROFILE:-debug}
bin=${DASHBOARD_BIN:-dashboard}
# The workspace's target directory, wherever trunk runs the hook from.
target_dir=${CARGO_TARGET_DIR:-$(cargo metadata --no-deps --format-version 1 |
    sed 's/.*"target_directory":"\([^"]*\)".*/\1/')}
out=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}

# The dashboard can run the workflows (when no game tab does), so it is
# built with the game's features: trunk's --features reaches this hook only
# through its environment form, TRUNK_BUILD_FEATURES.
features=${TRUNK_BUILD_FEATURES:-}
if [ "$profile" = release ]; then
    cargo build --release --target wasm32-unknown-unknown --bin "$bin" --features "$features"
else
    cargo build --target wasm32-unknown-unknown --bin "$bin" --features "$features"
fi
wasm-bindgen --target web --no-typescript --out-name dashboard --out-dir "$out" \
    "$target_dir/wasm32-unknown-unknown/$profile/$bin.wasm"
if [ "$profile" = release ]; then
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        -o "$out/dashboard_bg.wasm" "$out/dashboard_bg.wasm"
fi

# Names that change with the content, like trunk's own, written into the
# page so the game loads this build's dashboard and no other.
hash=$(cat "$out/dashboard.js" "$out/dashboard_bg.wasm" | sha256sum | cut -c1-16)
mv "$out/dashboard.js" "$out/dashboard-$hash.js"
mv "$out/dashboard_bg.wasm" "$out/dashboard-${hash}_bg.wasm"
sed -i "s|<meta charset=\"utf-8\">|&<meta name=\"dashboard-module\" content=\"dashboard-$hash.js\">|" "$out/index.html"
grep -q 'name="dashboard-module"' "$out/index.html" || {
    echo "build-dashboard.sh: no <meta charset=\"utf-8\"> in index.html to name the dashboard after" >&2
    exit 1
}
