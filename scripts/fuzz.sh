#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang and
# -fsanitize=fuzzer,address,undefined into build-fuzz/, linking only the
# filter library (filters/*.c) with libpfm4 and jansson, seeds each corpus
# from filters/specs, and runs every target for SECONDS (default 20).
# Findings land in build-fuzz/artifacts/; the exit status is 1 if any
# target found one. Usage: scripts/fuzz.sh [SECONDS]
set -eu
secs=${1:-20}
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz.sh: $cc not found (scripts/deps.sh installs clang and libclang-rt-14-dev)" >&2
	exit 4
fi
mkdir -p "$out/artifacts"
cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -fno-omit-frame-pointer \
-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Iinclude -Ifilters -Itests/unit -Itests/fuzz"

# target  format extension  dictionary
targets="pmuf:pmuf:tests/fuzz/pmuf.dict qemu:json:tests/fuzz/qemu.dict raw:bin:"
for t in $targets; do
	name=${t%%:*}
	echo "== building fuzz_$name"
	# shellcheck disable=SC2086
	"$cc" $cflags -o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" filters/*.c -lpfm -ljansson
done

status=0
for t in $targets; do
	name=${t%%:*}
	rest=${t#*:}
	ext=${rest%%:*}
	dict=${rest#*:}
	corpus="$out/corpus/$name"
	mkdir -p "$corpus"
	for s in filters/specs/*."$ext"; do
		[ -e "$s" ] && cp -n "$s" "$corpus/" 2>/dev/null || true
	done
	echo "== fuzz_$name for ${secs}s (corpus $corpus)"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-"
	[ -n "$dict" ] && set -- "$@" -dict="$dict"
	[ "$jobs" -gt 1 ] && set -- "$@" -jobs="$jobs" -workers="$jobs"
	if ! ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$out/fuzz_$name" "$@" "$corpus" \
		>"$out/fuzz_$name.log" 2>&1; then
		echo "fuzz_$name: FOUND A PROBLEM; see $out/fuzz_$name.log and $out/artifacts/" >&2
		tail -n 40 "$out/fuzz_$name.log" >&2
		status=1
	else
		grep -E '^stat::number_of_executed_units|^Done' "$out/fuzz_$name.log" || true
	fi
done
exit $status
