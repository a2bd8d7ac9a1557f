#!/bin/sh
# Trunk's one post_build hook (trunk may run several hooks of a stage at
# once, and the service worker must list the dashboard's files): the
# dashboard's module first, then the service worker over everything built.
set -eu
here=$(dirname "$0")
sh "$here/build-dashboard.sh"
sh "$here/service-worker.sh"
