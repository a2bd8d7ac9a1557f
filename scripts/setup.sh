#!/usr/bin/env bash
# Installs the tools the build and the tests need, skipping whatever is
# already there, so a second run takes a few seconds.
#
# Usage: scripts/setup.sh COMPONENT...
#   wasm-target   rustup target wasm32-unknown-unknown
#   trunk         trunk (TRUNK_VERSION) in $TOOL_ROOT/bin
#   wasm-bindgen  wasm-bindgen-cli (+ wasm-bindgen-test-runner) in $TOOL_ROOT/bin,
#                 at exactly the wasm-bindgen version in Cargo.lock
#   wasm-opt      npm binaryen@BINARYEN_VERSION in $TOOL_ROOT/binaryen
#   browser       Debian chromium + chromium-driver (same major version)
#   axe           npm axe-core@AXE_VERSION in $TOOL_ROOT/axe (the e2e suite's
#                 accessibility checks inject its axe.min.js into pages)
#
# TOOL_ROOT defaults to ~/.cargo (the Makefile passes its own).
set -euo pipefail

TOOL_ROOT="${TOOL_ROOT:-$HOME/.cargo}"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
AXE_VERSION="4.11.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

# The version of the package $1 in Cargo.lock; fails unless there is exactly one.
locked_version() {
    local versions
    versions="$(awk -v name="$1" '
        $0 == "name = \"" name "\"" { found = 1; next }
        found && /^version = / { gsub(/"/, "", $3); print $3; found = 0 }
    ' "$ROOT/Cargo.lock")"
    [[ -n "$versions" ]] || die "$1 is not in Cargo.lock"
    [[ "$(wc -l <<<"$versions")" -eq 1 ]] ||
        die "Cargo.lock has several versions of $1 ($(tr '\n' ' ' <<<"$versions")); pin one with \"=X.Y.Z\""
    printf '%s\n' "$versions"
}

# The major version in `$1 --version` ("Chromium 156.0.8078.108 ..." -> 156).
major_version() {
    { "$1" --version 2>/dev/null || true; } | awk 'NR == 1 { split($2, v, "."); print v[1] }'
}

# Prints the second word of `$1 --version`, or nothing if $1 does not run.
tool_version() {
    [[ -x "$1" ]] || return 0
    { "$1" --version 2>/dev/null || true; } | awk 'NR == 1 { print $2 }'
}

setup_wasm_target() {
    local installed
    installed="$(rustup target list --installed)"
    [[ $'\n'"$installed"$'\n' == *$'\nwasm32-unknown-unknown\n'* ]] && return
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
}

setup_trunk() {
    local have
    have="$(tool_version "$TOOL_ROOT/bin/trunk")"
    [[ "$have" == "$TRUNK_VERSION" ]] && return
    say "installing trunk $TRUNK_VERSION into $TOOL_ROOT/bin (found: ${have:-none}; takes several minutes)"
    # trunk 0.22 needs a newer rustc than this toolchain; --locked keeps its
    # dependencies at the versions it was released with.
    cargo install --locked --force --root "$TOOL_ROOT" "trunk@$TRUNK_VERSION"
}

setup_wasm_bindgen() {
    local want trunk_wants have runner
    want="$(locked_version wasm-bindgen)"
    # Trunk.toml names the same version so trunk never downloads another one.
    trunk_wants="$(sed -n 's/^wasm_bindgen *= *"\(.*\)"/\1/p' "$ROOT/Trunk.toml")"
    [[ "$trunk_wants" == "$want" ]] ||
        die "Trunk.toml has wasm_bindgen = \"$trunk_wants\" but Cargo.lock has wasm-bindgen $want; make them equal"
    have="$(tool_version "$TOOL_ROOT/bin/wasm-bindgen")"
    runner="$(tool_version "$TOOL_ROOT/bin/wasm-bindgen-test-runner")"
    [[ "$have" == "$want" && "$runner" == "$want" ]] && return
    say "installing wasm-bindgen-cli $want into $TOOL_ROOT/bin (found: ${have:-none}; takes a few minutes)"
    # No --locked: one of its locked dependencies is missing from the registry.
    cargo install --force --root "$TOOL_ROOT" "wasm-bindgen-cli@$want"
}

setup_wasm_opt() {
    local prefix="$TOOL_ROOT/binaryen" have
    if [[ -x "$prefix/node_modules/.bin/wasm-opt" ]]; then
        have="$({ "$prefix/node_modules/.bin/wasm-opt" --version 2>/dev/null || true; } | awk 'NR == 1 { print $3 }')"
        [[ "$have" == "$BINARYEN_VERSION" ]] && return
    fi
    command -v npm >/dev/null || die "npm is needed to install binaryen@$BINARYEN_VERSION (apt-get install -y npm)"
    say "installing binaryen@$BINARYEN_VERSION (wasm-opt) into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact "binaryen@$BINARYEN_VERSION"
}

setup_axe() {
    local prefix="$TOOL_ROOT/axe" have
    have="$(node -p "require('$prefix/node_modules/axe-core/package.json').version" 2>/dev/null || true)"
    [[ "$have" == "$AXE_VERSION" ]] && return
    command -v npm >/dev/null || die "npm is needed to install axe-core@$AXE_VERSION (apt-get install -y npm)"
    say "installing axe-core@$AXE_VERSION into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --save-exact "axe-core@$AXE_VERSION"
}

setup_browser() {
    local packages=(chromium chromium-driver) missing=() package
    for package in "${packages[@]}"; do
        [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" == "install ok installed" ]] ||
            missing+=("$package")
    done
    if ((${#missing[@]} > 0)); then
        if [[ "$(id -u)" -ne 0 ]]; then
            die "headless tests need ${missing[*]}; install them with:
    sudo apt-get install -y ${packages[*]}"
        fi
        say "installing ${missing[*]}"
        # Install both, so that they come at the same version.
        apt-get install -y "${packages[@]}" || {
            apt-get update && apt-get install -y "${packages[@]}"
        } || die "apt-get could not install ${packages[*]}"
    fi
    local browser driver
    browser="$(major_version chromium)"
    driver="$(major_version chromedriver)"
    [[ -n "$browser" && "$browser" == "$driver" ]] ||
        die "chromium (${browser:-?}) and chromedriver (${driver:-?}) major versions differ; run:
    apt-get install -y ${packages[*]}"
}

(($# > 0)) || die "usage: $0 wasm-target|trunk|wasm-bindgen|wasm-opt|browser|axe..."
for component in "$@"; do
    case "$component" in
        wasm-target) setup_wasm_target ;;
        trunk) setup_trunk ;;
        wasm-bindgen) setup_wasm_bindgen ;;
        wasm-opt) setup_wasm_opt ;;
        browser) setup_browser ;;
        axe) setup_axe ;;
        *) die "unknown component: $component" ;;
    esac
done
