# 062-openai-conformance: replays the Azure OpenAI x-ms-examples (ARM
# deployments, account, models, usages; data-plane files and fine-tuning
# jobs) and checks status, headers and bodies against the swagger subsets
# (tests/fixtures/specs, copied from the reference).
. ./e2e/lib.sh
emu_start --resource openai:conf@westus --retry-after 0
/usr/bin/python3 "$TOP/tests/emulator/conformance_openai.py" "$T/endpoints.json" \
    "$FIXTURES/specs" conf || fail "conformance"
emu_stop
