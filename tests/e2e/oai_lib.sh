# oai_lib.sh - Azure OpenAI accounts of the emulator in standby.yaml, and
# deployments made directly through its ARM API for test setup.  Sourced
# after e2e/lib.sh, e2e/config.sh and emu_start.

# oai_config FILE NAME... : a configuration declaring the named emulator
# openai accounts (Entra client credentials against the emulator's token
# endpoint, settings.arm_endpoint on its ARM listener), with anything on
# stdin appended (openai:, ...).  Extra settings go in $OAI_SETTINGS.
oai_config() {
	file=$1
	shift
	{
		echo "version: 1"
		echo "resources:"
		for n in "$@"; do
			region=$(jq -r --arg n "$n" '.resources[$n].region' "$T/endpoints.json")
			echo "  $n:"
			echo "    type: openai"
			echo "    region: $region"
			echo "    id: $(emu_account_id "$n")"
			echo "    auth:"
			echo "      entra: client-credentials"
			echo "      tenant_id: $(jq -r .tenant "$T/endpoints.json")"
			echo "      client_id: ${EMU_CLIENT_ID:-emulator-client}"
			echo "      client_secret_env: OAI_SECRET"
		done
		echo "settings:"
		echo "  arm_endpoint: $(emu_arm)"
		echo "  authority_host: $(jq -r .authority "$T/endpoints.json")"
		[ -z "${OAI_SETTINGS:-}" ] || echo "$OAI_SETTINGS"
		[ -t 0 ] || cat
	} > "$file"
}

OAI_V=api-version=2024-10-01
# The emulator's default client secret, named by oai_config's files.
export OAI_SECRET=${EMU_CLIENT_SECRET:-emulator-secret}

# oai_put ACCOUNT DEPLOYMENT MODEL VERSION SKU CAPACITY: creates (or
# replaces) a deployment through ARM and waits for it to succeed.
oai_put() {
	printf '{"sku":{"name":"%s","capacity":%s},"properties":{"model":{"format":"OpenAI","name":"%s","version":"%s"}}}' \
	    "$5" "$6" "$3" "$4" > "$T/oai.put"
	emu_arm_call PUT "$(emu_account_id "$1")/deployments/$2?$OAI_V" "$T/oai.put" > /dev/null
	case $(cat "$T/emu.status") in
	200) return 0 ;;
	201 | 202) ;;
	*) fail "PUT $2 on $1: $(cat "$T/emu.status") $(cat "$T/emu.body")" ;;
	esac
	op=$(emu_header Azure-AsyncOperation)
	[ -z "$op" ] || [ "$(emu_arm_wait "$op")" = Succeeded ] ||
	    fail "PUT $2 on $1 did not succeed: $(cat "$T/emu.body")"
}

# oai_delete ACCOUNT DEPLOYMENT: deletes a deployment and waits.
oai_delete() {
	emu_arm_call DELETE "$(emu_account_id "$1")/deployments/$2?$OAI_V" > /dev/null
	case $(cat "$T/emu.status") in
	200 | 204) return 0 ;;
	202) ;;
	*) fail "DELETE $2 on $1: $(cat "$T/emu.status") $(cat "$T/emu.body")" ;;
	esac
	i=0
	while :; do
		emu_arm_call GET "$(emu_account_id "$1")/deployments/$2?$OAI_V" > /dev/null
		[ "$(cat "$T/emu.status")" = 404 ] && return 0
		i=$((i + 1))
		[ $i -lt 600 ] || fail "delete of $2 on $1 still running"
		sleep 0.05
	done
}

# oai_two_entries: the openai: section of an examples-like configuration
# (a GlobalStandard gpt-4o and a Standard gpt-4o-mini on east and west).
oai_two_entries() {
	cat <<'YAML'
openai:
  gpt-4o:
    model: { name: gpt-4o, version: "2024-08-06" }
    sku: { name: GlobalStandard, capacity: 100 }
    accounts: [east, west]
  mini:
    name: chat-mini
    model: { name: gpt-4o-mini, version: "2024-07-18" }
    sku: { name: Standard, capacity: 5 }
    accounts: [east, west]
YAML
}

# oai_schema_check FILE: FILE validates against schema/plan.schema.json
# (or, with a second argument, that schema).
oai_schema_check() {
	/usr/bin/python3 - "${2:-$TOP/schema/plan.schema.json}" "$1" <<'PYEOF' || fail "$1 does not match the schema"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
PYEOF
}
