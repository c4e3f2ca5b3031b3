# 254-status-html-chromium: --format html is one self-contained page (no
# script, no external resource) where text from the config path and the
# cache is escaped; headless Chromium renders it: the dumped DOM shows the
# region x project matrix with a ready, a stale and a not-ready cell and
# the details beneath, and the screenshot is a PNG holding the three
# verdict colours.  The Chromium part is skipped only when Chromium is not
# installed (make deps installs it).
. ./e2e/lib.sh
. ./e2e/config.sh
. ./e2e/drift_lib.sh
drift_setup
drift_apply
# ready on east, stale on west (changed by hand), not ready on north.
sleep 1
emu_seed_project west TravelAgent "$FIXTURES/projects/clu-travel.json"
emu_call north DELETE "$(emu_endpoint north)/language/authoring/analyze-conversations/projects/TravelAgent/deployments/production?api-version=2023-04-01" > /dev/null
emu_wait_job north "$(emu_oploc)" > /dev/null

# The config read from a directory whose name is markup; --state points
# at the state apply wrote beside the original.
EVIL="$T/<script>alert(1)</script>"
mkdir -p "$EVIL"
cp "$CFG" "$EVIL/standby.yaml"
HTML=$T/status.html
sb status -f "$EVIL/standby.yaml" --state "$T/.standby/state.db" \
    --format html --output "$HTML"
expect_exit 2
[ -s "$HTML" ] || fail "no page written"
! grep -qi '<script' "$HTML" || fail "unescaped <script> in the page"
grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;/standby.yaml' "$HTML" ||
    fail "the config path is not shown escaped"
! grep -Eqi '(src|href)=|@import|url\(' "$HTML" || fail "the page loads something"
grep -qF '<style>' "$HTML" || fail "no inline style"
[ ! -e "$T/<script>alert(1)</script>/.standby" ] ||
    fail "status created a state file beside the copied config"
echo "ok 1 - one self-contained page, text escaped"

CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
	echo "ok 2 # skip chromium is not installed ($CHROMIUM)"
	echo "ok 3 # skip chromium is not installed ($CHROMIUM)"
	exit 0
fi
chrome() {
	HOME=$T timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$T/chrome" --no-first-run --disable-extensions \
	    --hide-scrollbars "$@" "file://$HTML" 2> "$T/chrome.err"
}
chrome --dump-dom > "$T/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$T/chrome.err")"
/usr/bin/python3 - "$T/dom.html" <<'PY' || fail "the DOM: $(head -c 3000 "$T/dom.html")"
import html.parser, sys

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.cells, self.tags, self.text = [], [], set(), []
        self.cur = None
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "td" and "matrix" in self.table:
            self.cur = [a.get("class"), ""]
        if tag == "table":
            self.table = a.get("class", "")
    table = ""
    def handle_endtag(self, tag):
        if tag == "td" and self.cur:
            self.cells.append((self.cur[0], self.cur[1].strip()))
            self.cur = None
    def handle_data(self, d):
        self.text.append(d)
        if self.cur:
            self.cur[1] += d

p = P()
p.feed(open(sys.argv[1]).read())
text = "".join(p.text)
assert "script" not in p.tags, "a script element"
assert ("ready", "ready") in p.cells, p.cells
assert any(c == "stale" and t.startswith("stale") and "replica_modified" in t
           for c, t in p.cells), p.cells
assert any(c == "not_ready" and t.startswith("not ready") and
           "deployment_missing" in t for c, t in p.cells), p.cells
for s in ["Failover readiness", "1 ready", "1 stale", "1 not ready",
          "TravelAgent on north (northeurope, replica) \u2014 not ready",
          "Deployment production of TravelAgent does not exist on north",
          "<script>alert(1)</script>/standby.yaml", "Last replicated",
          "Deployments live", "Age of data"]:
    assert s in text, s
PY
echo "ok 2 - Chromium's DOM: the matrix with a ready, a stale and a not-ready cell, the details"

chrome --screenshot="$T/shot.png" --window-size=1000,700 > /dev/null ||
    fail "chromium --screenshot failed: $(tail -5 "$T/chrome.err")"
size=$(wc -c < "$T/shot.png")
[ "$size" -gt 10000 ] || fail "screenshot of $size bytes"
/usr/bin/python3 e2e/png_colours.py "$T/shot.png" 1a7f37 bf8700 cf222e > "$T/colours" ||
    fail "cannot decode the screenshot"
while read -r c n; do
	# A matrix cell is about 100 x 48 pixels.
	[ "$n" -gt 3000 ] || fail "colour $c: $n pixels ($(cat "$T/colours"))"
done < "$T/colours"
echo "ok 3 - the screenshot is a PNG with the ready, stale and not-ready colours"
