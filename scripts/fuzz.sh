#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang and
# -fsanitize=fuzzer,address,undefined into build-fuzz/ and runs every
# target for SECONDS (default 20). The filter parsers (pmuf, qemu, raw)
# link the filter library (filters/*.c) alone; the readers of result
# directories (rset), the guest mailbox check (mailbox), filter decide's
# event arguments (decide) and the CLI's number and list parsers (opts)
# link libpfbench built by the Makefile with clang
# and -fsanitize=fuzzer-no-link into build-fuzz/lib. Each target's working
# corpus (build-fuzz/corpus/NAME) is seeded from the committed one
# (tests/fuzz/corpus/NAME) and filters/specs. Findings land in
# build-fuzz/artifacts/; the exit status is 1 if any target found one, 4
# when clang is missing. `make test` runs this with 2 s per target.
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]
set -eu
secs=${1:-20}
[ $# -gt 0 ] && shift
out=${FUZZ_BUILD:-build-fuzz}
cc=${FUZZ_CC:-clang}
jobs=${FUZZ_JOBS:-1}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "fuzz.sh: $cc not found (scripts/deps.sh installs clang and libclang-rt-14-dev)" >&2
	exit 4
fi
mkdir -p "$out/artifacts"
san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -fno-omit-frame-pointer $san \
-Iinclude -Ifilters -Itests/unit -Itests/fuzz"
# The include path of the benchmark code, as the Makefile gives it.
arch=$(uname -m)
bench_inc="-Ibench/common -Ibench/lookup -Ibench/kvm -Ibench/kvm/$arch -Ibench/report \
-Ibench/suite -Ibench/cli -Iguest-payloads"

# name  kind (filters: the filter library alone; lib: libpfbench)  seed extension  dictionary
all="pmuf:filters:pmuf:tests/fuzz/pmuf.dict qemu:filters:json:tests/fuzz/qemu.dict raw:filters:bin:
rset:lib::tests/fuzz/rset.dict mailbox:lib:: decide:lib:: opts:lib::"
targets=""
for t in $all; do
	name=${t%%:*}
	if [ $# -eq 0 ]; then
		targets="$targets $t"
	else
		for want in "$@"; do [ "$want" = "$name" ] && targets="$targets $t"; done
	fi
done
[ -n "$targets" ] || { echo "fuzz.sh: no such target: $*" >&2; exit 2; }

case "$targets" in *:lib:*)
	echo "== building libpfbench for fuzzing ($out/lib)"
	make -s -j2 BUILD="$out/lib" CC="$cc" \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
		"$out/lib/libpfbench.a" >/dev/null
esac
for t in $targets; do
	name=${t%%:*}
	rest=${t#*:}
	kind=${rest%%:*}
	echo "== building fuzz_$name"
	if [ "$kind" = filters ]; then
		# shellcheck disable=SC2086
		"$cc" $cflags -o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" filters/*.c -lpfm -ljansson
	else
		# shellcheck disable=SC2086
		"$cc" $cflags $bench_inc -o "$out/fuzz_$name" "tests/fuzz/fuzz_$name.c" \
			"$out/lib/libpfbench.a" -lpfm -lpapi -lhwloc -ljansson -lm -lpthread
	fi
done

status=0
for t in $targets; do
	name=${t%%:*}
	rest=${t#*:}
	rest=${rest#*:}
	ext=${rest%%:*}
	dict=${rest#*:}
	corpus="$out/corpus/$name"
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n "tests/fuzz/corpus/$name"/* "$corpus/" 2>/dev/null || true
	if [ -n "$ext" ]; then
		for s in filters/specs/*."$ext"; do
			[ -e "$s" ] && cp -n "$s" "$corpus/" 2>/dev/null || true
		done
	fi
	echo "== fuzz_$name for ${secs}s (corpus $corpus)"
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-"
	[ -n "$dict" ] && set -- "$@" -dict="$dict"
	[ "$jobs" -gt 1 ] && set -- "$@" -jobs="$jobs" -workers="$jobs"
	if ! ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$out/fuzz_$name" "$@" "$corpus" \
		>"$out/fuzz_$name.log" 2>&1; then
		echo "fuzz_$name: FOUND A PROBLEM; see $out/fuzz_$name.log and $out/artifacts/" >&2
		tail -n 40 "$out/fuzz_$name.log" | cat -v >&2
		status=1
	else
		grep -aE '^stat::number_of_executed_units|^Done' "$out/fuzz_$name.log" || true
	fi
done
exit $status
