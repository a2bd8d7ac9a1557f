#!/bin/sh
# Prints the sizes of a release build's first load (what the game page
# downloads before it is playable: the game's wasm, its JS, the CSS and the
# wasm-bindgen snippets) and of the dashboard's module, which loads later:
# raw, gzip -9 (the gzip command) and brotli (quality 11, through Node's
# zlib: Debian's brotli command is not needed).
#
# Usage: scripts/bundle-size.sh [DIST]   (default dist/, from trunk build --release)
set -eu
dist=${1:-dist}
[ -f "$dist/index.html" ] || { echo "bundle-size: no build in $dist (trunk build --release)" >&2; exit 1; }
cd "$dist"

# The snippets are the ones the game's JS imports (the dashboard's module
# has snippets of its own, which load with it).
game_js=$(find . -type f -name 'durable-dungeon-*.js')
game_snippets=$(grep -oh "snippets/[^'\"]*" $game_js | sort -u | sed 's|^|./|')
first=$(
    {
        # Every stylesheet: the page links each (the game's and the
        # dashboard's, whose classes the game's chips share).
        find . -type f \( -name 'durable-dungeon-*' -o -name '*.css' \)
        echo "$game_snippets"
    } | sort -u
)
later=$(find . -type f -name 'dashboard-*' | sort)

sizes() {
    # $@: files. Prints "raw gzip brotli" summed over them.
    raw=0
    gz=0
    for f in "$@"; do
        raw=$((raw + $(wc -c < "$f")))
        gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    done
    br=$(node -e '
        const fs = require("fs"), zlib = require("zlib");
        const quality = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } };
        let br = 0;
        for (const f of process.argv.slice(1)) br += zlib.brotliCompressSync(fs.readFileSync(f), quality).length;
        console.log(br);
    ' "$@")
    echo "$raw $gz $br"
}

kb() { awk -v n="$1" 'BEGIN { printf "%.1f KB", n / 1000 }'; }

for f in $first; do
    set -- $(sizes "$f")
    printf 'BUNDLE %-52s raw %10s  gzip %10s  brotli %10s\n' "$f" "$(kb "$1")" "$(kb "$2")" "$(kb "$3")"
done
set -- $(sizes $first)
printf 'BUNDLE first load (game wasm + js + css + snippets): raw %s, gzip %s, brotli %s\n' "$(kb "$1")" "$(kb "$2")" "$(kb "$3")"
set -- $(sizes $later)
printf 'BUNDLE dashboard module (loaded when opened or idle): raw %s, gzip %s, brotli %s\n' "$(kb "$1")" "$(kb "$2")" "$(kb "$3")"
