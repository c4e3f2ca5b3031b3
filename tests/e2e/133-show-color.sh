# 133-show-color: colours only on a terminal, and never with NO_COLOR,
# --no-color (show's or the global one), or when piped.
. ./e2e/lib.sh

PLAN=$FIXTURES/plans/valid-travel.json
ESC=$(printf '\033')
command -v script > /dev/null || fail "script(1) is needed to fake a terminal"

# tty COMMAND...: runs COMMAND on a pseudo-terminal, output in $T/tty.
tty() {
	script -qec "$*" /dev/null < /dev/null > "$T/tty" 2>&1
}

tty env -u NO_COLOR "$BUILD/standby" show "$PLAN"
grep -q "${ESC}\[32m+${ESC}\[0m train" "$T/tty" || fail "no green + on a terminal: $(head -c 600 "$T/tty")"
grep -q "${ESC}\[31m-${ESC}\[0m delete_deployment" "$T/tty" || fail "no red -"
grep -q "${ESC}\[33m~${ESC}\[0m deploy" "$T/tty" || fail "no yellow ~"
grep -q "${ESC}\[35m±${ESC}\[0m import" "$T/tty" || fail "no magenta ±"
grep -q "${ESC}\[36m<=${ESC}\[0m export" "$T/tty" || fail "no cyan <="

tty NO_COLOR=1 "$BUILD/standby" show "$PLAN"
grep -q 'train TravelAgent/v7' "$T/tty" || fail "no output under NO_COLOR"
! grep -q "$ESC" "$T/tty" || fail "escape codes despite NO_COLOR"

tty env -u NO_COLOR "$BUILD/standby" show --no-color "$PLAN"
grep -q 'train TravelAgent/v7' "$T/tty" || fail "no output with --no-color"
! grep -q "$ESC" "$T/tty" || fail "escape codes despite show --no-color"

tty env -u NO_COLOR "$BUILD/standby" --no-color show "$PLAN"
! grep -q "$ESC" "$T/tty" || fail "escape codes despite standby --no-color"

# Markdown and json never carry colour, even on a terminal.
tty env -u NO_COLOR "$BUILD/standby" show --format markdown "$PLAN"
! grep -q "$ESC" "$T/tty" || fail "escape codes in markdown"

# Not a terminal: no colour even without NO_COLOR.
env -u NO_COLOR "$BUILD/standby" show "$PLAN" > "$T/pipe" 2>&1
grep -q 'train TravelAgent/v7' "$T/pipe" || fail "no output when piped"
! grep -q "$ESC" "$T/pipe" || fail "escape codes when piped"
exit 0
