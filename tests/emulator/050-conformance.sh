# 050-conformance: replays every Language authoring x-ms-example the
# emulator implements and checks status, headers and the body against the
# swagger schema (tests/fixtures/specs, copied from the reference).
. ./e2e/lib.sh
emu_start --resource language:conf@eastus --rate-limits off --retry-after 0
/usr/bin/python3 "$TOP/tests/emulator/conformance.py" "$T/endpoints.json" \
    "$FIXTURES/specs" conf || fail "conformance"
emu_stop
