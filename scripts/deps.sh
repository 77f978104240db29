#!/bin/sh
# Installs what pfbench's build and tests need from Debian's packages, and
# does nothing when they are already there. Runs as root, or through sudo.
set -eu

PKGS="make gcc libc6-dev pkg-config libpfm4-dev libpapi-dev libhwloc-dev \
libjansson-dev libcmocka-dev gnuplot-nox clang libclang-rt-14-dev \
binutils git python3"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	}
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
