#!/bin/sh
# suite.sh — a thin wrapper around `pfbench suite` (see `pfbench suite
# --help`; `make run` and `make suite` call pfbench directly). Uses
# $PFBENCH, else build/pfbench beside this script.
set -eu
pf=${PFBENCH:-$(dirname "$0")/../build/pfbench}
if [ ! -x "$pf" ]; then
	echo "suite.sh: $pf not built (run make, or set PFBENCH)" >&2
	exit 2
fi
exec "$pf" suite "$@"
