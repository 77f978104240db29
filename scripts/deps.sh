#!/bin/sh
# Installs what pfbench's build and tests need from Debian's packages, and
# does nothing when they are already there. Runs as root, or through sudo.
# --arm64: what `make arm64` and `make test-arm64` need instead (the cross
# compiler, QEMU, the initramfs tools, jq for the record checks; the arm64
# libraries themselves come from scripts/arm64/sysroot.sh, not from here).
set -eu

PKGS="make gcc libc6-dev pkg-config libpfm4-dev libpapi-dev libhwloc-dev \
libjansson-dev libcmocka-dev gnuplot-nox clang libclang-rt-14-dev \
binutils git python3"
if [ "${1:-}" = --arm64 ]; then
	# On an arm64 host the native gcc is aarch64-linux-gnu-gcc.
	cross="gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	[ "$(uname -m)" = aarch64 ] && cross="gcc libc6-dev"
	PKGS="make $cross qemu-system-arm cpio tar file jq dpkg coreutils"
fi

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
