#!/bin/sh
# sysroot.sh — the arm64 libraries pfbench links statically (libpfm4, PAPI,
# hwloc, jansson: headers and .a archives from Debian's arm64 -dev
# packages), unpacked with `dpkg-deb -x` into SYSROOT. The .debs come from
# the private arm64 apt configuration of apt.sh (nothing is installed into
# the host system) and are kept in build-arm64/debs; a second run with the
# sysroot in place does nothing.
#
# usage: scripts/arm64/sysroot.sh [SYSROOT]   (default build-arm64/sysroot)
set -eu

sysroot=${1:-build-arm64/sysroot}
DEBS=${ARM64_DEBS:-build-arm64/debs}
# The -dev packages hold the headers and the static archives; their runtime
# libraries (.so) are not needed for a static link.
PKGS="libpfm4-dev libpapi-dev libhwloc-dev libjansson-dev"

stamp="$sysroot/.pfbench-sysroot"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PKGS" ] && exit 0

. "$(dirname "$0")/apt.sh"
# shellcheck disable=SC2086
arm64_apt_download "$DEBS" $PKGS

rm -rf "$sysroot"
mkdir -p "$sysroot"
for p in $PKGS; do
	for deb in "$DEBS/${p}_"*_arm64.deb; do
		echo "arm64: unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$sysroot"
	done
done
for a in libpfm.a libpapi.a libhwloc.a libjansson.a; do
	[ -f "$sysroot/usr/lib/aarch64-linux-gnu/$a" ] || {
		echo "arm64: $a missing from the unpacked packages" >&2
		exit 1
	}
done
echo "$PKGS" >"$stamp"
