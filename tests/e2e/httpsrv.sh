# httpsrv.sh - sourced by the lib/http e2e tests (05x): httpsrv_start
# [CERT KEY] runs tests/tools/httpsrv.py in the background and sets PORT;
# requests it saw go to $T/requests.log.
httpsrv_start() {
	bg python3 "$TOP/tests/tools/httpsrv.py" "$T/port" "$T/requests.log" "$@"
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "httpsrv.py did not start"
		sleep 0.05
	done
	PORT=$(cat "$T/port")
	: >> "$T/requests.log"
}
