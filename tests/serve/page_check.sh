#!/usr/bin/env bash
# The web page of `idml serve` in headless Chromium: Fashion-MNIST photos are
# indexed with `idml embed`, served with `idml serve`, and the page is opened
# at /?row=R (which searches with indexed row R, as a click on a result
# does). The DOM after its scripts ran must show R's ambiguity and a grid of 10
# results led by R itself, each with its thumbnail loaded, and no error.
#   tests/serve/page_check.sh IDML SERVE_PAGE_FIXTURE [SCREENSHOT.png]
# CHECKPOINT=F uses a trained model instead of random weights (for the
# README's screenshot); CHROMIUM names the browser (default: chromium, else
# chromium-browser). Without a browser it exits 77, which CTest reports as
# skipped.
set -euo pipefail
idml="${1:?usage: page_check.sh IDML SERVE_PAGE_FIXTURE [SCREENSHOT.png]}"
fixture="${2:?usage: page_check.sh IDML SERVE_PAGE_FIXTURE [SCREENSHOT.png]}"
screenshot="${3:-}"
chromium="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$chromium" ] || ! command -v "$chromium" > /dev/null; then
  echo "page_check: SKIPPED: no Chromium (${CHROMIUM:-chromium or chromium-browser} not found): the web page was not" \
       "checked in a browser; install Debian's chromium package, or set CHROMIUM=/path/to/chromium, to run it"
  exit 77
fi
work=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2> /dev/null || true; wait "$serve_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "page_check: $*" >&2; exit 1; }

"$fixture" "$work" 12 > /dev/null
checkpoint="${CHECKPOINT:-$work/random_resnet18.safetensors}"
sizes=(--image-size 64 --resize-size 64)
"$idml" embed --checkpoint "$checkpoint" --images "$work/photos" --out "$work/index/photos" "${sizes[@]}" > /dev/null
: > "$work/serve.log"
"$idml" serve --index "$work/index/photos" --port 0 > "$work/serve.log" 2>&1 &  # the record gives the model and sizes
serve_pid=$!
port=""
for _ in $(seq 600); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.log")
  [ -n "$port" ] && break
  kill -0 "$serve_pid" 2> /dev/null || fail "idml serve ended: $(cat "$work/serve.log")"
  sleep 0.1
done
[ -n "$port" ] || fail "idml serve did not start"

row=87  # a sneaker
url="http://127.0.0.1:$port/?row=$row"
browser=("$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile"
         --virtual-time-budget=30000 --window-size=1200,860)
"${browser[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/chromium.log" || fail "chromium failed: $(tail -5 "$work/chromium.log")"

grep -q 'id="results" data-count="10"' "$work/dom.html" || fail "the page does not show 10 results: $(grep -o '<p id="status"[^<]*<' "$work/dom.html")"
[ "$(grep -o 'class="result"' "$work/dom.html" | wc -l)" = 10 ] || fail "expected 10 result cells"
[ "$(grep -o '<img alt="" src="blob:' "$work/dom.html" | wc -l)" = 10 ] || fail "not every result's thumbnail loaded"
grep -q '<div class="sim">1\. 1\.000</div>' "$work/dom.html" || fail "the first result is not the query itself (similarity 1.000)"
grep -q "<div class=\"muted\">row $row</div>" "$work/dom.html" || fail "row $row is not among the results"
grep -Eq 'id="ambiguity">[0-9]+\.[0-9]{3}<' "$work/dom.html" || fail "no ambiguity score shown"
grep -q 'class="error"' "$work/dom.html" && fail "the page shows an error: $(grep -o '<p id="status"[^<]*<' "$work/dom.html")"
grep -Eq "<span id=\"info\">resnet[0-9]+ · 120 images · D [0-9]+ · exact search · cpu</span>" "$work/dom.html" ||
  fail "the header does not describe the service: $(grep -o '<span id="info">[^<]*<' "$work/dom.html")"

if [ -n "$screenshot" ]; then
  "${browser[@]}" --screenshot="$work/page.png" "$url" 2>> "$work/chromium.log" || fail "chromium's screenshot failed"
  cp "$work/page.png" "$screenshot"
fi
echo "page_check: the page searched with row $row and shows its 10 results"
