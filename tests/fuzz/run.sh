#!/bin/sh
# run.sh - builds the libFuzzer targets with clang into build/fuzz and runs
# each for a bounded time (seconds, default 60) from a seed corpus of the
# examples and fixtures.  A crash is written to tests/fuzz/regress/<target>/,
# where tests/unit/config_regress_test.c replays it in every "make check".
#
# Usage: sh tests/fuzz/run.sh [SECONDS]
set -eu
SECONDS_EACH=${1:-60}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$TOP/build/fuzz
CC=${FUZZ_CC:-clang}
cd "$TOP"

command -v "$CC" > /dev/null || { echo "run.sh: needs clang" >&2; exit 1; }
mkdir -p "$OUT/obj"
FLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
CPP="-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib $(pkg-config --cflags yaml-0.1 libcjson libcrypto)"
LIBS="$(pkg-config --libs yaml-0.1 libcjson libcrypto)"

# The loader's modules only: the fuzz build must not need the network code.
SRC="lib/buf.c lib/err.c lib/diag.c lib/yamltree.c lib/yamlget.c lib/config.c lib/config_check.c
     lib/config_openai.c lib/config_project.c lib/confighash.c lib/sha256.c"
OBJS=""
for s in $SRC; do
	o=$OUT/obj/$(basename "$s" .c).o
	$CC $CPP $FLAGS -std=c11 -c -o "$o" "$s"
	OBJS="$OBJS $o"
done

status=0
for t in tests/fuzz/*_fuzz.c; do
	name=$(basename "$t" _fuzz.c)
	bin=$OUT/${name}_fuzz
	$CC $CPP -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o "$bin" "$t" $OBJS $LIBS
	corpus=$OUT/corpus-$name
	regress=tests/fuzz/regress/$name
	mkdir -p "$corpus" "$regress"
	# Seeds: every YAML we have, so mutations start from real configs.
	for f in examples/*.yaml tests/fixtures/*/*.yaml "$regress"/*; do
		[ -f "$f" ] && cp "$f" "$corpus/seed-$(echo "$f" | tr / _)"
	done
	echo "fuzzing $name for ${SECONDS_EACH}s"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    "$bin" -max_total_time="$SECONDS_EACH" -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$regress/" "$corpus" || status=1
done
exit $status
