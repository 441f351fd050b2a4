#!/usr/bin/python3
"""Opens an HTML report in headless Chromium and checks what a reader would get: screenshots and a PDF,
no sideways scrolling at 375 and 1280 px, every chart drawn, no request made, Korean glyphs rendered.

Usage: check_html.py [--chromium PATH] [--only shots,dom,net] [--widths 1280,375] REPORT.html OUTPUT_DIR

Prints each check; exits 1 with one "FAIL: ..." line per failure. Standard library only.
"""

import argparse
import concurrent.futures
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTHS = ((1280, 900), (375, 800))

# Flags for a browser that makes no request of its own (updates, sync, QUIC probes) and runs as
# root in a container (--no-sandbox); the profile is a fresh folder each time.
QUIET_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1", "--mute-audio",
]

RESULT_ID = "impact-check-result"

# Appended to a copy of the report, it measures the laid-out page and writes JSON into an element
# that --dump-dom brings back.
CHECKER_SCRIPT = r"""
<script>
window.addEventListener("load", function () {
  const out = {};
  const root = document.documentElement;
  out.viewport = {inner: window.innerWidth, client: root.clientWidth, scroll: root.scrollWidth};
  out.charts = Array.from(document.querySelectorAll("svg")).map(function (svg, index) {
    const box = svg.getBoundingClientRect();
    // Drawn marks: shapes with an area or a length (axis lines are not counted).
    let marks = 0;
    svg.querySelectorAll("rect, path, circle, polygon, polyline").forEach(function (shape) {
      const b = shape.getBBox();
      if (b.width > 0 || b.height > 0) marks += 1;
    });
    const label = svg.getAttribute("aria-label") || ("svg " + (index + 1));
    return {label: label, width: box.width, height: box.height, marks: marks,
            overflows: box.right > root.clientWidth + 0.5};
  });
  out.tables = Array.from(document.querySelectorAll("table")).map(function (table, index) {
    const parent = table.parentElement;
    const style = getComputedStyle(parent);
    const room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // A table is named by its caption, else by the heading before it.
    let name = table.querySelector("caption");
    for (let before = table.previousElementSibling; !name && before; before = before.previousElementSibling)
      if (/^H[1-6]$/.test(before.tagName)) name = before;
    return {label: name ? name.textContent.trim() : ("table " + (index + 1)),
            width: table.getBoundingClientRect().width, room: room};
  });
  out.resources = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
  // "조" (U+C870) against U+0378, which no font has: the same pixels mean Hangul fell back to the
  // missing-glyph box too.
  const family = getComputedStyle(document.body).fontFamily;
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  function draw(text) {
    context.clearRect(0, 0, 64, 64);
    context.fillStyle = "#000";
    context.font = "48px " + family;
    context.textBaseline = "alphabetic";
    context.fillText(text, 8, 52);
    return context.getImageData(0, 0, 64, 64).data;
  }
  const hangul = draw("\uC870");
  const unassigned = draw("\u0378");
  let ink = 0, differing = 0;
  for (let i = 3; i < hangul.length; i += 4) {
    if (hangul[i] > 0) ink += 1;
    if (hangul[i] !== unassigned[i]) differing += 1;
  }
  out.glyph = {family: family, ink_pixels: ink, differing_pixels: differing};
  const payload = JSON.stringify(out);
  if (window.parent !== window) {
    window.parent.postMessage(payload, "*");  // inside the phone frame (see FRAME_PAGE)
  } else {
    const result = document.createElement("pre");
    result.id = "RESULT_ID";
    result.textContent = payload;
    document.body.appendChild(result);
  }
});
</script>
""".replace("RESULT_ID", RESULT_ID)


# Headless Chromium keeps its window at least 500 px wide whatever --window-size says, so a phone
# is a frame of the phone's size at the top left of the window: inside it the report lays out, and
# evaluates its media queries, against a 375 px viewport. The screenshot is cut to that size.
FRAME_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>html, body { margin: 0; } iframe { display: block; border: 0; width: WIDTHpx; height: HEIGHTpx; }</style></head>
<body><iframe src="SRC"></iframe><pre id="RESULT_ID"></pre>
<script>window.addEventListener("message", function (event) { document.getElementById("RESULT_ID").textContent = event.data; });</script>
</body></html>
"""


class Checker:
    def __init__(self, chromium, report, out_dir):
        self.chromium = chromium
        self.report = report.resolve()
        self.out_dir = out_dir
        self.failures = []
        self.temp = Path(tempfile.mkdtemp(prefix="impact-check-html-"))
        self.runs = 0
        self.pool = None
        self.sizes = WIDTHS

    def fail(self, message):
        self.failures.append(message)
        print(f"FAIL: {message}", flush=True)

    def ok(self, message):
        print(f"ok: {message}", flush=True)

    def run_chromium(self, flags, url, timeout_s=40):
        """Starts Chromium once with a fresh profile in the pool; the future gives (exit code, stdout, stderr)."""
        self.runs += 1
        profile = self.temp / f"profile-{self.runs}"
        command = [self.chromium, *QUIET_FLAGS, f"--user-data-dir={profile}", *flags, url]

        def run():
            try:
                done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
            except subprocess.TimeoutExpired:
                return None, "", f"timed out after {timeout_s} s"
            return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")

        return self.pool.submit(run)

    # --- the page's text -------------------------------------------------------------------------
    def check_source(self):
        text = self.report.read_text(encoding="utf-8")
        found = sorted(set(re.findall(r"https?://[^\s\"'<>)]*", text)))
        if found:
            self.fail(f"the page names URLs: {', '.join(found[:5])}")
        else:
            self.ok("no http(s) URL in the page's text")
        for pattern, what in ((r"<script\b", "a <script>"), (r"<link\b", "a <link>"), (r"@import\b", "an @import"),
                              (r"@font-face\b", "a web font")):
            if re.search(pattern, text, re.IGNORECASE):
                self.fail(f"the page has {what}")
        self.ok("no script, link, @import or web font in the page")

    def page_at(self, width, height, page_url):
        """The URL to open for a viewport of width x height: the page itself where the window can be
        that wide, else a frame page around it."""
        if width >= 500:
            return page_url
        frame = self.temp / f"frame-{width}x{height}.html"
        frame.write_text(FRAME_PAGE.replace("WIDTH", str(width)).replace("HEIGHT", str(height))
                         .replace("SRC", html.escape(page_url)).replace("RESULT_ID", RESULT_ID), encoding="utf-8")
        return frame.as_uri()

    # --- the runs --------------------------------------------------------------------------------
    def start(self, checks):
        """Starts at most three Chromium runs side by side and returns the functions that judge them:
        the report itself at 1280 px (screenshot, PDF, net log, in one run), and a copy with the
        checker script at 1280 px and at 375 px (the phone screenshot comes from the latter: the
        script draws nothing on the page)."""
        judges = []
        original = self.report.as_uri()
        png_1280, pdf, log = (self.out_dir / "screenshot-1280.png", self.out_dir / "report.pdf",
                              self.out_dir / "net-log.json")
        flags = ["--window-size=1280,900", "--dump-dom"]
        if "shots" in checks:
            flags += [f"--screenshot={png_1280}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}"]
        if "net" in checks:
            flags += [f"--log-net-log={log}", "--net-log-capture-mode=Everything"]
        if "shots" in checks or "net" in checks:
            for stale in (png_1280, pdf, log):
                stale.unlink(missing_ok=True)
            whole = self.run_chromium(flags, original)
            if "shots" in checks:
                judges.append(lambda: (self.judge_screenshot(whole, 1280, png_1280), self.judge_pdf(whole, pdf)))
            if "net" in checks:
                judges.append(lambda: self.judge_net_log(whole, log, original))

        copy = self.checker_copy()
        for width, height in self.sizes:
            png = self.out_dir / f"screenshot-{width}.png"
            flags = [f"--window-size={width},{height}", "--dump-dom", "--virtual-time-budget=3000"]
            wants_shot = "shots" in checks and width < 500
            if wants_shot:
                png.unlink(missing_ok=True)
                flags.append(f"--screenshot={png}")
            if "dom" not in checks and not wants_shot:
                continue
            run = self.run_chromium(flags, self.page_at(width, height, copy.as_uri()))
            if wants_shot:
                judges.append(lambda run=run, width=width, png=png: self.judge_screenshot(run, width, png))
            if "dom" in checks:
                judges.append(lambda run=run, width=width: self.judge_dom(run, width))
        return judges

    def checker_copy(self):
        """A copy of the report with the checker script before </body>, in a folder of its own."""
        source = self.report.read_text(encoding="utf-8")
        at = source.lower().rfind("</body>")
        checked = source[:at] + CHECKER_SCRIPT + source[at:] if at >= 0 else source + CHECKER_SCRIPT
        copy = self.temp / "page" / self.report.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(checked, encoding="utf-8")
        return copy

    def judge_screenshot(self, run, width, png):
        code, _, err = run.result()
        if not png.exists():
            self.fail(f"no screenshot at {width} px (chromium exit {code}: {last_line(err)})")
            return
        data = png.read_bytes()
        if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
            self.fail(f"{png} is not a PNG")
            return
        png_width, png_height = struct.unpack(">II", data[16:24])
        if png_width != width or len(data) < 5000:
            self.fail(f"{png}: {png_width}x{png_height} px, {len(data)} bytes; expected {width} px wide and over 5000 bytes")
        else:
            self.ok(f"screenshot {png} ({png_width}x{png_height} px, {len(data)} bytes)")

    def judge_pdf(self, run, pdf):
        code, _, err = run.result()
        if not pdf.exists():
            self.fail(f"no PDF (chromium exit {code}: {last_line(err)})")
            return
        data = pdf.read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
        if not data.startswith(b"%PDF-") or pages < 1:
            self.fail(f"{pdf}: not a PDF with pages ({len(data)} bytes, {pages} pages)")
        else:
            self.ok(f"PDF {pdf} ({pages} pages, {len(data)} bytes)")

    def judge_dom(self, run, width):
        code, out, err = run.result()
        match = re.search(rf'<pre id="{RESULT_ID}">(.+?)</pre>', out, re.DOTALL)
        if not match:
            self.fail(f"at {width} px: the checker script wrote no result (chromium exit {code}: {last_line(err)})")
            return
        self.judge_layout(f"at {width} px", width, json.loads(html.unescape(match.group(1))))

    def judge_layout(self, where, width, result):
        viewport = result["viewport"]
        if viewport["inner"] != width:
            self.fail(f"{where}: the viewport is {viewport['inner']} px wide, not {width}")
        if viewport["scroll"] > viewport["client"] or viewport["scroll"] > viewport["inner"]:
            self.fail(f"{where}: the page scrolls sideways (scrollWidth {viewport['scroll']} px, "
                      f"window {viewport['inner']} px)")
        else:
            self.ok(f"{where}: no sideways scrolling (scrollWidth {viewport['scroll']} <= {viewport['inner']} px)")

        charts = result["charts"]
        if not charts:
            self.fail(f"{where}: no chart <svg> in the page")
        for chart in charts:
            if chart["width"] <= 0 or chart["height"] <= 0 or chart["marks"] < 1 or chart["overflows"]:
                self.fail(f"{where}: chart '{chart['label']}' is {chart['width']:.0f}x{chart['height']:.0f} px with "
                          f"{chart['marks']} marks{' and sticks out of the page' if chart['overflows'] else ''}")
        self.ok(f"{where}: {len(charts)} charts drawn: " +
                ", ".join(f"'{c['label']}' {c['width']:.0f}x{c['height']:.0f} px, {c['marks']} marks" for c in charts))

        wide = [t for t in result["tables"] if t["width"] > t["room"] + 0.5]
        for table in wide:
            self.fail(f"{where}: table '{table['label']}' is {table['width']:.0f} px wide in {table['room']:.0f} px")
        if not wide:
            self.ok(f"{where}: {len(result['tables'])} tables fit their containers")

        for name in result["resources"]:
            self.fail(f"{where}: the page requested {name}")
        if not result["resources"]:
            self.ok(f"{where}: no resource requested (performance.getEntriesByType('resource') is empty)")

        glyph = result["glyph"]
        if glyph["differing_pixels"] == 0 or glyph["ink_pixels"] == 0:
            self.fail(f"{where}: \"조\" draws like an unassigned code point ({glyph['ink_pixels']} ink pixels, "
                      f"{glyph['differing_pixels']} differ) with font-family {glyph['family']}")
        else:
            self.ok(f"{where}: \"조\" has {glyph['ink_pixels']} ink pixels, {glyph['differing_pixels']} differ from U+0378; "
                    f"Hangul font: {hangul_font(glyph['family'])}")

    # --- the network -----------------------------------------------------------------------------
    def judge_net_log(self, run, log, url):
        code, _, err = run.result()
        if not log.exists():
            self.fail(f"no net log (chromium exit {code}: {last_line(err)})")
            return
        try:
            events = json.loads(log.read_text(encoding="utf-8", errors="replace")).get("events", [])
        except json.JSONDecodeError as error:
            self.fail(f"the net log {log} is not JSON: {error}")
            return
        # Chromium asks update and account servers for itself whatever the flags (they fail: no
        # network). A request is the page's when Chromium files it under the page's site (its
        # network isolation key names file://), gives it the page as initiator, or tags it as a
        # renderer's resource load (traffic annotation 101845102, "blink_resource_loader").
        urls, page_sources = {}, set()
        for event in events:
            params = event.get("params") or {}
            source = event.get("source", {}).get("id")
            if isinstance(params.get("url"), str):
                urls.setdefault(source, params["url"])
            isolation_key = str(params.get("network_isolation_key", ""))
            if ("file://" in isolation_key or params.get("initiator") in ("null", "file://") or
                    params.get("traffic_annotation") == 101845102):
                page_sources.add(source)
        requested = sorted({urls[source] for source in page_sources if source in urls and urls[source] != url})
        for name in requested:
            self.fail(f"net log: a request for {name}")
        own = sorted({re.sub(r"[?#].*", "", name) for source, name in urls.items() if source not in page_sources})
        if not requested:
            self.ok(f"net log: {len(events)} events, no request by the page" +
                    (f" (Chromium's own, ignored: {', '.join(own)})" if own else ""))


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def hangul_font(css_families):
    """The font Hangul takes on Linux, as fontconfig resolves the page's stack: the first family
    that is installed (a generic name, system-ui read as sans-serif, is whatever fc-match makes of
    it) and has a glyph for U+C870; Chromium walks the stack the same way before any fallback."""
    if not shutil.which("fc-match"):
        return "unknown (no fc-match)"
    for family in (name.strip().strip('"\'') for name in css_families.split(",")):
        generic = family in ("system-ui", "sans-serif", "serif", "monospace")
        pattern = "sans-serif" if family == "system-ui" else family
        done = subprocess.run(["fc-match", "-f", "%{family[0]}|%{charset}", pattern],
                              capture_output=True, text=True, check=False)
        found, _, charset = done.stdout.partition("|")
        installed = generic or found.lower() == family.lower()
        if installed and any(covers_c870(part) for part in charset.split()):
            return f"{found} (from {family} in the stack)"
    return "none in the stack (fallback)"


def covers_c870(charset_range):
    first, _, last = charset_range.partition("-")
    try:
        return int(first, 16) <= 0xC870 <= int(last or first, 16)
    except ValueError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", default="shots,dom,net", help="comma-separated: shots, dom, net")
    parser.add_argument("--widths", default=",".join(str(w) for w, _ in WIDTHS),
                        help="comma-separated viewport widths for the DOM checks (of " +
                             ", ".join(str(w) for w, _ in WIDTHS) + ")")
    args = parser.parse_args()
    checks = set(args.only.split(","))
    if not args.report.is_file():
        print(f"FAIL: {args.report}: no such file", flush=True)
        return 1
    args.out_dir.mkdir(parents=True, exist_ok=True)
    checker = Checker(args.chromium, args.report, args.out_dir)
    checker.sizes = tuple(size for size in WIDTHS if str(size[0]) in args.widths.split(","))
    started = time.monotonic()
    print(f"checking {checker.report} in {args.chromium} ({', '.join(sorted(checks))})", flush=True)
    try:
        checker.check_source()
        # Chromium spends much of a run waiting (for D-Bus, for its own requests to fail), so the
        # three runs overlap.
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as checker.pool:
            for judge in checker.start(checks):
                judge()
    finally:
        shutil.rmtree(checker.temp, ignore_errors=True)
    seconds = time.monotonic() - started
    if checker.failures:
        print(f"{len(checker.failures)} checks failed ({checker.runs} Chromium runs, {seconds:.1f} s)", flush=True)
        return 1
    print(f"all checks passed ({checker.runs} Chromium runs, {seconds:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
