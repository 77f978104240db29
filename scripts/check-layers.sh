#!/bin/bash
# Checks that includes only go down the layers (the Makefile's per-module
# include paths enforce the same at build time; this also catches what
# they cannot: a path with "/" or "..", a header found in the including
# file's own folder of another layer, and the other arch's folder).
#   filters < common < lookup, kvm < suite < report < cli
# Each layer may include its own folders and those below it; lookup and
# kvm do not see each other; suite sees only common. Prints one line per
# bad include and exits 1, else a count and 0.
#
# Usage: scripts/check-layers.sh   (from the repository root)
set -u
base="include filters"
common="$base bench/common"
kvm="$common bench/kvm bench/kvm/x86_64 bench/kvm/arm64 guest-payloads guest-payloads/x86_64 guest-payloads/arm64"
declare -A allowed=(
	[filters]="$base"
	[common]="$common"
	[lookup]="$common bench/lookup"
	[kvm]="$kvm"
	[suite]="$common bench/suite"
	[report]="$kvm bench/lookup bench/suite bench/report"
	[cli]="$kvm bench/lookup bench/suite bench/report bench/cli"
)
all="include filters bench/common bench/lookup bench/kvm bench/kvm/x86_64 bench/kvm/arm64
     bench/suite bench/report bench/cli guest-payloads guest-payloads/x86_64 guest-payloads/arm64"

layer_of() {
	case $1 in
	filters/*) echo filters ;;
	bench/common/*) echo common ;;
	bench/lookup/*) echo lookup ;;
	bench/kvm/*) echo kvm ;;
	bench/suite/*) echo suite ;;
	bench/report/*) echo report ;;
	bench/cli/*) echo cli ;;
	esac
}

bad=0 n=0
while IFS= read -r src; do
	layer=$(layer_of "$src")
	[ -n "$layer" ] || continue
	while IFS= read -r inc; do
		n=$((n + 1))
		case $inc in
		*/*)
			echo "$src: #include \"$inc\": a path; name the header, the layer's include path finds it"
			bad=$((bad + 1))
			continue ;;
		esac
		ok=0
		for d in $(dirname "$src") ${allowed[$layer]}; do
			# the file's own folder counts only within its layer
			if [ -f "$d/$inc" ] && { [ "$d" != "$(dirname "$src")" ] ||
				[ "$(layer_of "$d/$inc")" = "$layer" ]; }; then
				ok=1
				break
			fi
		done
		[ $ok = 1 ] && continue
		for d in $all; do
			if [ -f "$d/$inc" ]; then
				echo "$src: #include \"$inc\" ($d): $layer may not include from there"
				bad=$((bad + 1))
				break
			fi
		done
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$src")
done < <(find filters bench -name '*.[ch]' -o -name '*.def' | sort)
if [ $bad -gt 0 ]; then
	echo "check-layers: $bad include(s) against the layers"
	exit 1
fi
echo "check-layers: $n includes, all down the layers"
