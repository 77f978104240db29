#!/bin/sh
# PLACEHOLDER until the suite issue lands: runs what exists.
set -eu
pf=build/pfbench
while [ $# -gt 0 ]; do case "$1" in --pfbench) pf=$2; shift;; esac; shift; done
"$pf" info
