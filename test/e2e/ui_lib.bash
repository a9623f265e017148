# Shared by the ui_*.sh end-to-end tests (the dashboard: flor ui, flor report);
# sourced after driver_lib.bash. Provides:
#   ui_experiment        records experiment `cb` (callee_batches) in $REPO: run 1,
#                        run 2 (--count-calls, another version), replay 3 of run 1
#                        (hindsight weight_norm), replays 4-5 of run 2 (diverged)
#   start_ui ARGS...     starts `flor ui --port 0 ARGS` in the background: $UI_URL, $UI_PID
#   browser_test URL OUT runs the page's test hook (URL's #test) in headless
#                        Chromium; writes its JSON report to OUT
#   screenshot URL PNG   a 1280x1000 screenshot
#   png_colours PNG      prints how many distinct colours the PNG has
command -v chromium > /dev/null || fail "chromium is missing: the dashboard tests need a real browser (scripts/setup-deps installs Debian's chromium)"
command -v curl > /dev/null || fail "curl is missing (scripts/setup-deps installs it)"
UI_PID=""
trap '[ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

ui_experiment() {
  setup_program callee_batches
  cd "$REPO"
  "$FLOR" run cb --eps 1 -- ./build/train --epochs 4 > "$WORK/r1.out" 2>&1 || fail "record 1: $(cat "$WORK/r1.out")"
  echo "// version 2" >> train.cc
  "$FLOR" run cb --eps 1 -- ./build/train --epochs 4 --count-calls > "$WORK/r2.out" 2>&1 || fail "record 2: $(cat "$WORK/r2.out")"
  FLOR_TEST_HINDSIGHT=1 "$FLOR" replay cb --run 1 --no-probes > "$WORK/p3.out" 2>&1 || fail "replay of 1: $(cat "$WORK/p3.out")"
  local rc=0
  FLOR_TEST_HINDSIGHT=1 "$FLOR" replay cb --run 2 -j 2 --no-probes > "$WORK/p4.out" 2>&1 || rc=$?
  [ $rc -eq 3 ] || fail "replay of 2 should diverge (exit 3), got $rc: $(cat "$WORK/p4.out")"
}

start_ui() {
  "$FLOR" ui --port 0 "$@" > "$WORK/ui.out" 2> "$WORK/ui.err" &
  UI_PID=$!
  for _ in $(seq 100); do
    UI_URL=$(grep -o 'http://[^ ]*/' "$WORK/ui.out" 2>/dev/null || true)
    [ -n "$UI_URL" ] && return 0
    alive "$UI_PID" || fail "flor ui ended: $(cat "$WORK/ui.out" "$WORK/ui.err")"
    sleep 0.1
  done
  fail "flor ui printed no URL: $(cat "$WORK/ui.out" "$WORK/ui.err")"
}

CHROMIUM=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --window-size=1280,1000
          --enable-logging=stderr --virtual-time-budget=8000)

# The page writes <pre id="flor-test">JSON</pre> when the URL has #test; the
# browser's log must hold no uncaught error either.
browser_test() {
  timeout 120 "${CHROMIUM[@]}" --dump-dom "$1" > "$WORK/dom.html" 2> "$WORK/chromium.err" ||
    fail "chromium --dump-dom $1 failed: $(tail -5 "$WORK/chromium.err")"
  ! grep -E 'CONSOLE.*(Uncaught|Error)' "$WORK/chromium.err" || fail "the page logged errors (above) at $1"
  python3 - "$WORK/dom.html" "$2" <<'PY' || fail "no test report in the page at $1: $(head -c 2000 "$WORK/dom.html")"
import html, re, sys
m = re.search(r'<pre id="flor-test">(.*?)</pre>', open(sys.argv[1]).read(), re.S)
assert m
open(sys.argv[2], "w").write(html.unescape(m.group(1)))
PY
}

screenshot() {
  (cd "$WORK" && timeout 120 "${CHROMIUM[@]}" --screenshot="$2" "$1" > /dev/null 2> "$WORK/chromium.err") ||
    fail "chromium --screenshot $1 failed: $(tail -5 "$WORK/chromium.err")"
  [ -s "$2" ] || fail "no screenshot of $1"
}

# Decodes the PNG (8-bit RGB or RGBA, non-interlaced, as Chromium writes them) with the standard library.
png_colours() {
  python3 - "$1" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
    if kind == b"IDAT": idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, at = bytearray(stride), set(), 0
for _ in range(h):
    f, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
    at += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    colours.update(bytes(line[i:i + 3]) for i in range(0, stride, bpp * 7))  # every 7th pixel is plenty
    prev = line
print(len(colours))
PY
}
