#!/bin/sh
# deps.sh - is everything "make check" needs installed?  If not, install it
# when we are root (make deps), else name the exact command and fail.
# Usage: sh tests/deps.sh "<pkg-config names>" "<debian packages>"
pkgs=$1
missing=""
for p in $pkgs; do
	pkg-config --exists "$p" 2>/dev/null || missing="$missing $p"
done
for c in cc curl jq openssl sqlite3 /usr/bin/python3; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null ||
	    missing="$missing python3-jsonschema/python3-yaml"
fi
[ -z "$missing" ] && exit 0
echo "missing:$missing" >&2
if [ "$(id -u)" = 0 ]; then
	echo "installing them with 'make deps'" >&2
	${MAKE:-make} --no-print-directory deps || exit 1
	exit 0
fi
echo "run this first, then make check again:  sudo make deps" >&2
exit 1
