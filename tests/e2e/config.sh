# config.sh - writes standby.yaml files for the emulator's resources.
# Sourced after e2e/lib.sh and emu_start.

# emu_config FILE NAME... : a configuration declaring the named emulator
# resources, each with its key in $<NAME>_KEY (exported here), the
# emulator's CA trusted through STANDBY_CACERT, and anything on stdin
# appended (projects:, settings:).
emu_config() {
	file=$1
	shift
	{
		echo "version: 1"
		echo "resources:"
		for n in "$@"; do
			v=$(echo "$n" | tr 'a-z-' 'A-Z_')_KEY
			eval "export $v=\"\$(emu_key $n)\""
			region=$(jq -r --arg n "$n" '.resources[$n].region' "$T/endpoints.json")
			echo "  $n:"
			echo "    type: language"
			echo "    region: $region"
			echo "    endpoint: $(emu_endpoint "$n")"
			echo "    auth: { key_env: $v }"
		done
		[ -t 0 ] || cat
	} > "$file"
}

# sb ARGS...: runs standby trusting the emulator's CA.
sb() {
	ca=$(emu_cacert)
	if [ -n "$ca" ]; then
		run standby --cacert "$ca" "$@"
	else
		run standby "$@"
	fi
}

# expect_no_keys FILE...: no emulator key appears in any FILE (nor in the
# last command's output).
expect_no_keys() {
	for k in $(jq -r '.resources[].key' "$T/endpoints.json"); do
		for f in "$T/stdout" "$T/stderr" "$@"; do
			if [ -f "$f" ]; then expect_file_lacks "$f" "$k"; fi
		done
	done
	return 0
}
