#!/bin/sh
# Trunk's one post_build hook (trunk may run several hooks of a stage at
# once, and the service worker must list the dashboard's files): the
# dashboard's module first, then the snippets no script imports go, then
# the service worker over everything built.
set -eu
here=$(dirname "$0")
# Usage: post-build.sh [APP DASHBOARD_BIN]: the app's name (the service
# worker's cache) and its dashboard binary; the game's by default.
DASHBOARD_BIN=${2:-dashboard} sh "$here/build-dashboard.sh"
sh "$here/prune-snippets.sh"
SW_APP=${1:-durable-dungeon} sh "$here/service-worker.sh"
