#!/bin/sh
# Run by scripts/post-build.sh: removes from the build the wasm-bindgen
# snippet folders (snippets/<crate>-<hash>/) that none of its scripts
# imports. Trunk copies every snippet folder it finds under the
# workspace's shared target directory, so without this one app's build
# would carry another's snippets (and old builds' ones), and its service
# worker would cache them.
set -eu

dir=${1:-${TRUNK_STAGING_DIR:?give the build directory}}
[ -d "$dir/snippets" ] || exit 0
for snippet in "$dir"/snippets/*/; do
    name=$(basename "$snippet")
    if ! grep -qs "snippets/$name/" "$dir"/*.js; then
        rm -r "$snippet"
    fi
done
