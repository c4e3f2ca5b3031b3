# oai_apply_lib.sh - shared set-up of the Azure OpenAI apply tests
# (300-329), sourced after lib.sh and oai_lib.sh: an emulator with openai
# accounts "east" (eastus) and "west" (westus2), and oai_apply_config to
# write $CFG for them.

# oai_setup [EMULATOR ARGS...]
oai_setup() {
	emu_start --resource openai:east@eastus --resource openai:west@westus2 \
	    --retry-after 1 --rate-limits off --job-time deployment=100ms \
	    --job-time finetune=200ms --job-time file=50ms "$@"
	export OAI_SECRET=emulator-secret
	# The emulator's jobs take milliseconds: poll without a 5 s wait.
	export STANDBY_OAI_POLL_MS=20
	CFG=$T/standby.yaml
}

# oai_apply_config [ACCOUNT...]: writes $CFG declaring the accounts (default
# east and west) and, from stdin, the openai: section and anything after.
oai_apply_config() {
	[ $# -gt 0 ] || set -- east west
	{
		echo "version: 1"
		echo "resources:"
		for n in "$@"; do
			echo "  $n:"
			echo "    type: openai"
			echo "    region: $(jq -r --arg n "$n" '.resources[$n].region' "$T/endpoints.json")"
			echo "    id: $(emu_account_id "$n")"
			echo "    auth:"
			echo "      entra: client-credentials"
			echo "      tenant_id: $(jq -r .tenant "$T/endpoints.json")"
			echo "      client_id: emulator-client"
			echo "      client_secret_env: OAI_SECRET"
		done
		cat
		echo "settings:"
		echo "  arm_endpoint: $(emu_arm)"
		echo "  authority_host: $(jq -r .authority "$T/endpoints.json")"
		echo "  rate_limits: { get_per_minute: 60000, post_per_minute: 6000 }"
	} > "$CFG"
}

# oai_writes [ACCOUNT]: the ARM and data-plane requests that changed
# something (of ACCOUNT: its ARM paths and its data plane), one "METHOD
# PATH" per line, query left out.
oai_writes() {
	emu_requests | jq -r --arg a "${1:-}" '.[] | select(.method != "GET") |
	    select(.path | contains("/oauth2/") | not) |
	    select($a == "" or .resource == $a or
	        (.path | contains("/accounts/" + $a + "/"))) |
	    "\(.method) \(.path | split("?")[0])"'
}

# oai_expect_empty_plan: plan finds nothing to do, and a further apply
# sends no request that changes anything.
oai_expect_empty_plan() {
	run standby plan -f "$CFG" --detailed-exitcode
	expect_exit 0
	before=$(oai_writes | wc -l)
	run standby apply -f "$CFG" --auto-approve
	expect_exit 0
	after=$(oai_writes | wc -l)
	[ "$before" = "$after" ] ||
	    fail "an apply with nothing to do sent $((after - before)) changing requests: $(oai_writes | tail -n $((after - before)))"
}

# oai_deployment ACCOUNT NAME: the deployment as ARM serves it.
oai_deployment() {
	emu_arm_call GET "$(emu_account_id "$1")/deployments/$2?api-version=2024-10-01"
}
