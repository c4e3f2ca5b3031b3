#!/bin/sh
# embed.sh - turns state/NNN_name.sql files into a C table of migrations,
# so the binary carries the exact schema it was built with.
# Usage: sh state/embed.sh state/001_init.sql ... > migrations.c
set -e
echo '/* Generated from the state/ migrations by state/embed.sh; do not edit. */'
echo '#include <stddef.h>'
echo '#include "migrations.h"'
echo 'const struct migration state_migrations[] = {'
for f in "$@"; do
	base=$(basename "$f" .sql)
	num=$(echo "$base" | sed 's/_.*//; s/^0*//')
	printf '\t{ %s, "%s",\n' "${num:-0}" "$base"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t    "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '\t{ 0, NULL, NULL },'
echo '};'
