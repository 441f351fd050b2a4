#!/usr/bin/python3
"""Runs `impact compare` into every report format and checks that each format says the same thing.

Usage: check_compare_reports.py IMPACT DATA_DIR WORK_DIR

The two scenarios are tests/cli/data/compare-h20-drawn-60.toml and -55.toml: the H20 export ban
($13.5B of revenue, the $5.5B charge; ../shared/guide/facts.md, Article 1) drawn with a 60% and a
55% mean gross margin, and the $4.5B charge Nvidia reported as an [[actual]].

References, computed here and not read from impact:
  * each difference is B - A and each ratio B / A of the figures on both sides;
  * h20.lost_gross_profit's value is 13.5B x 60% = 8.1B on A and 13.5B x 55% = 7.425B on B;
  * with the same draws on both sides (common random numbers) the margin's draws are the same
    standard normal scaled by the same sd, so draw by draw B - A = -5% x lost revenue: the mean
    difference is -0.05 x the mean lost revenue, its P5 is -0.05 x the revenue's P95, its P95
    -0.05 x the revenue's P5, and P(B > A) is 0;
  * the actual's error is the estimate minus $4.5B;
and then the CSV, the Excel workbook, the HTML page and the Markdown must hold exactly the JSON
report's numbers (the same doubles, read back from their text). Exit 0 when all hold, 1 with one
line per failure naming the format, the output and the figure.
"""

import csv
import html.parser
import io
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_xlsx import Workbook, column_letters  # noqa: E402


def cell_ref(row, col):
    """0-based row and column -> "E7"."""
    return "%s%d" % (column_letters(col + 1), row + 1)

failures = []


def fail(message):
    failures.append(message)


def close(found, expected, relative, what):
    if found is None or expected is None or not math.isfinite(found) or \
            abs(found - expected) > relative * max(abs(expected), 1.0):
        fail("%s: expected %r (relative tolerance %g), found %r" % (what, expected, relative, found))


def run(impact, args, expect_exit):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1764460800", IMPACT_NO_PLUGIN_CACHE="1")
    done = subprocess.run([impact] + args, capture_output=True, text=True, env=env)
    if done.returncode != expect_exit:
        fail("impact %s: exit %d, expected %d; stderr: %s" % (" ".join(args), done.returncode, expect_exit, done.stderr.strip()))
    return done


def figures_by_key(report):
    """(output name, statistic, side label) -> (value, difference, ratio, within) from the JSON report."""
    labels = [s["label"] for s in report["sides"]]
    table = {}
    for o in report["outputs"]:
        for f in o["figures"]:
            for i, label in enumerate(labels):
                table[(o["name"], f["statistic"], label)] = (f["values"][i], f["differences"][i], f["ratios"][i], f["within"][i])
    return table


def check_json(report, references=True):
    """Every difference and ratio recomputed; with `references`, the two-sided run's seed figures."""
    labels = [s["label"] for s in report["sides"]]
    base = labels.index(report["baseline"])
    for o in report["outputs"]:
        for f in o["figures"]:
            for i, label in enumerate(labels):
                what = "json %s %s %s" % (o["name"], f["statistic"], label)
                value, b = f["values"][i], f["values"][base]
                if i == base:
                    if f["differences"][i] is not None or f["ratios"][i] is not None:
                        fail(what + ": the baseline has a difference or ratio")
                    continue
                if f["differences"][i] != value - b:
                    fail("%s: difference %r, expected %r - %r" % (what, f["differences"][i], value, b))
                expected_ratio = value / b if b != 0 else None
                if f["ratios"][i] != expected_ratio:
                    fail("%s: ratio %r, expected %r / %r" % (what, f["ratios"][i], value, b))
    if not references:
        return
    table = figures_by_key(report)
    close(table[("h20.lost_gross_profit", "value", "A")][0], 13.5e9 * 0.60, 1e-12, "json A lost_gross_profit value (13.5B x 60%)")
    close(table[("h20.lost_gross_profit", "value", "B")][0], 13.5e9 * 0.55, 1e-12, "json B lost_gross_profit value (13.5B x 55%)")
    # Common random numbers: B - A = -5% x lost revenue, draw by draw.
    gross = next(o for o in report["outputs"] if o["name"] == "h20.lost_gross_profit")
    d = gross["per_draw_differences"][labels.index("B")]
    revenue = lambda statistic: table[("h20.lost_revenue", statistic, "A")][0]
    close(d["mean"], -0.05 * revenue("mean"), 1e-9, "json per-draw mean difference (-5% x mean lost revenue)")
    close(d["P5"], -0.05 * revenue("P95"), 1e-9, "json per-draw P5 difference (-5% x P95 of lost revenue)")
    close(d["P95"], -0.05 * revenue("P5"), 1e-9, "json per-draw P95 difference (-5% x P5 of lost revenue)")
    if d["probability_greater"] != 0:
        fail("json per-draw P(B > A) of lost gross profit: expected 0, found %r" % d["probability_greater"])


def csv_number(text):
    return None if text == "" else float(text)


def check_csv(text, report, sides_with_actual):
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    expected_columns = ["side", "scenario_file", "is_baseline", "step", "output", "label", "unit", "statistic", "value",
                        "difference", "ratio", "within"]
    if not rows or list(rows[0].keys()) != expected_columns:
        fail("csv: expected the columns %s, found %s" % (expected_columns, list(rows[0].keys()) if rows else "no rows"))
        return
    table = figures_by_key(report)
    seen = 0
    per_draw = {}
    for o in report["outputs"]:
        for label, d in zip([s["label"] for s in report["sides"]], o.get("per_draw_differences", [])):
            if d:
                per_draw[(o["name"], label)] = d
    estimates = {}
    actual_rows = {}
    for row in rows:
        name = row["step"] + "." + row["output"]
        statistic = row["statistic"]
        if statistic.startswith("actual"):
            actual_rows[(name, row["side"], statistic)] = csv_number(row["value"])
            continue
        if statistic.startswith("difference_") or statistic == "probability_greater":
            d = per_draw.get((name, row["side"]))
            key = {"difference_mean": "mean", "difference_sd": "sd", "difference_p5": "P5", "difference_p50": "P50",
                   "difference_p95": "P95", "probability_greater": "probability_greater"}[statistic]
            if d is None or csv_number(row["value"]) != d[key]:
                fail("csv %s %s %s: %s, json %r" % (name, row["side"], statistic, row["value"], d and d[key]))
            continue
        json_statistic = statistic if statistic in ("value", "mean") else statistic.upper()
        value, difference, ratio, within = table[(name, json_statistic, row["side"])]
        seen += 1
        what = "csv %s %s %s" % (name, statistic, row["side"])
        if (csv_number(row["value"]), csv_number(row["difference"]), csv_number(row["ratio"])) != (value, difference, ratio):
            fail("%s: value, difference, ratio %s, %s, %s; json %r, %r, %r" % (what, row["value"], row["difference"], row["ratio"],
                                                                               value, difference, ratio))
        if row["is_baseline"] == "false" and row["within"] != ("true" if within else "false"):
            fail("%s: within %s, json %r" % (what, row["within"], within))
        if statistic == "value":
            estimates[(name, row["side"])] = value
    if seen != len(table):
        fail("csv: %d figure rows, json has %d figures" % (seen, len(table)))
    for side in sides_with_actual:
        estimate = estimates.get(("h20.one_off_charges", side))
        close(actual_rows.get(("h20.one_off_charges", side, "actual")), 4.5e9, 0, "csv %s actual of the charge ($4.5B)" % side)
        if estimate is not None:
            close(actual_rows.get(("h20.one_off_charges", side, "actual_error")), estimate - 4.5e9, 1e-15,
                  "csv %s actual_error (estimate - $4.5B)" % side)
            close(actual_rows.get(("h20.one_off_charges", side, "actual_relative_error")), (estimate - 4.5e9) / 4.5e9, 1e-15,
                  "csv %s actual_relative_error" % side)


def check_xlsx(path, report):
    book = Workbook(path)
    sheets = ["Compare", "Charts", "Charts data"]
    if any(o.get("per_draw_differences") and any(o["per_draw_differences"]) for o in report["outputs"]):
        sheets.append("Per-draw differences")
    for sheet in sheets:
        if sheet not in book.sheet_names:
            fail("xlsx: no sheet %r (sheets: %s)" % (sheet, book.sheet_names))
            return
    header = next((r for r in range(1, 200) if book.cell("Compare", cell_ref(r, 0))[1] == "Output"
                   and book.cell("Compare", cell_ref(r, 3))[1] == "Figure"), None)
    if header is None:
        fail("xlsx: no Output | Label | Unit | Figure header on the Compare sheet")
        return
    labels = [s["label"] for s in report["sides"]]
    base = report["baseline"]
    others = [label for label in labels if label != base]
    expected_headings = labels + [h for label in others for h in ("%s − %s" % (label, base), "%s ÷ %s" % (label, base))]
    headings = [book.cell("Compare", cell_ref(header, 4 + i))[1] for i in range(len(expected_headings))]
    if headings != expected_headings:
        fail("xlsx: headings %s, expected %s" % (headings, expected_headings))
    table = figures_by_key(report)
    # libxlsxwriter writes 16 significant digits (Excel shows 15): equal within 1e-15 of the value.
    same = lambda x, y: x == y or (x is not None and y is not None and abs(x - y) <= 1e-15 * abs(y))
    row = header + 1
    for o in report["outputs"]:
        for f in o["figures"]:
            name, statistic = book.cell("Compare", cell_ref(row, 0))[1], book.cell("Compare", cell_ref(row, 3))[1]
            if (name, statistic) != (o["name"], f["statistic"]):
                fail("xlsx row %d: %s %s, expected %s %s" % (row, name, statistic, o["name"], f["statistic"]))
                return
            cells = [book.cell("Compare", cell_ref(row, 4 + i)) for i in range(len(expected_headings))]
            wanted = [table[(o["name"], f["statistic"], label)][0] for label in labels]
            for label in others:
                wanted += list(table[(o["name"], f["statistic"], label)][1:3])
            found = [c[1] if c[0] == "number" else None for c in cells]
            if not all(same(x, y) for x, y in zip(found, wanted)):
                fail("xlsx row %d %s %s: %s, json %s" % (row, name, statistic, found, wanted))
            if cells[0][0] == "number" and o["unit"] == "USD" and cells[0][2] != "[$$-409]#,##0.00":
                fail("xlsx row %d: money format %r, expected [$$-409]#,##0.00" % (row, cells[0][2]))
            row += 1
    # A chart per output that two sides have, one per output with per-draw differences.
    expected_charts = sum(1 for o in report["outputs"] if sum(v is not None for v in o["figures"][0]["values"]) >= 2)
    expected_charts += sum(1 for o in report["outputs"] if any(o.get("per_draw_differences") or []))
    if len(book.charts) != expected_charts:
        fail("xlsx: %d charts, expected %d" % (len(book.charts), expected_charts))


def check_xlsx_status(path):
    """In a check, each figure's Status cell says within or which sides are beyond: 60% -> 55% moves
    lost gross profit by $675M (5% of 13.5B, over 1%), lost revenue not at all."""
    book = Workbook(path)
    header = next((r for r in range(1, 200) if book.cell("Compare", cell_ref(r, 3))[1] == "Figure"), None)
    if header is None:
        fail("xlsx (--tolerance 1%): no table header on the Compare sheet")
        return
    status_col = next((c for c in range(4, 30) if book.cell("Compare", cell_ref(header, c))[1] == "Status"), None)
    expected = {"h20.lost_revenue": "within", "h20.lost_gross_profit": "beyond: B", "h20.total_impact": "beyond: B"}
    found = {}
    for r in range(header + 1, header + 40):
        name, statistic = book.cell("Compare", cell_ref(r, 0))[1], book.cell("Compare", cell_ref(r, 3))[1]
        if statistic == "value" and name in expected:
            found[name] = book.cell("Compare", cell_ref(r, status_col))[1]
    if found != expected:
        fail("xlsx (--tolerance 1%%): Status cells %s, expected %s" % (found, expected))
    # The figures beyond it are red, and only those: the difference and ratio cells of B (G and H)
    # and the status cell on the rows of gross profit, total impact and its present value, and the
    # outcome line (A2).
    rows = [r for r in range(header + 1, header + 40) if book.cell("Compare", cell_ref(r, 3))[1] == "value"
            and book.cell("Compare", cell_ref(r, 0))[1] in ("h20.lost_gross_profit", "h20.total_impact", "h20.pv_total_impact")]
    expected_red = {"A2"} | {cell_ref(r, c) for r in rows for c in (6, 7, status_col)}
    if red_cells(book, "Compare") != expected_red:
        fail("xlsx (--tolerance 1%%): red cells %s, expected %s" % (sorted(red_cells(book, "Compare")), sorted(expected_red)))


def red_cells(book, sheet):
    """The cells of `sheet` whose font is red (FFFF0000), from the workbook's styles."""
    import xml.etree.ElementTree as ET
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    styles = ET.fromstring(book.parts["xl/styles.xml"])
    fonts = styles.find(main + "fonts").findall(main + "font")
    red_fonts = {i for i, f in enumerate(fonts) if f.find(main + "color") is not None
                 and (f.find(main + "color").get("rgb") or "").upper() == "FFFF0000"}
    xfs = styles.find(main + "cellXfs").findall(main + "xf")
    red_styles = {i for i, xf in enumerate(xfs) if int(xf.get("fontId", "0")) in red_fonts}
    index = book.sheet_names.index(sheet) + 1
    part = next(name for name in book.parts if name == "xl/worksheets/sheet%d.xml" % index)
    root = ET.fromstring(book.parts[part])
    return {c.get("r") for c in root.iter(main + "c") if int(c.get("s", "0")) in red_styles}


def check_percentage_points(impact, work):
    """A difference of two "%" outputs is in percentage points in every format: NVDA's fall to the
    $105.10 after-hours price against the $104.49 close (../shared/guide/facts.md: -6.33% and -6.87%
    from $112.20) differs by (104.49 - 105.10) / 112.20 = -0.5437 pp, not -0.54%."""
    folder = os.path.join(work, "compare-points")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    files = []
    for name, after in (("after-hours", "105.10"), ("close", "104.49")):
        path = os.path.join(folder, name + ".toml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('[scenario]\nname = "NVDA %s"\n\n[[step]]\nid = "move"\nmodel = "stock.price_move"\n'
                    'price_before = "112.20 USD"\nprice_after = "%s USD"\nshares_outstanding = "24.4B"\n' % (name, after))
        files.append(path)
    out = os.path.join(folder, "out")
    run(impact, ["compare", files[0], files[1], "--format", "json,md,xlsx", "-o", out], 0)
    if not os.path.isfile(os.path.join(out, "compare.json")):
        return
    expected = (104.49 - 105.10) / 112.20
    with open(os.path.join(out, "compare.json"), encoding="utf-8") as f:
        report = json.load(f)
    figure = next(o for o in report["outputs"] if o["name"] == "move.return")["figures"][0]
    close(figure["differences"][1], expected, 1e-12, "json move.return difference (a fraction)")
    with open(os.path.join(out, "compare.md"), encoding="utf-8") as f:
        if "| -0.5437 pp |" not in f.read():
            fail("md: move.return's difference is not shown as -0.5437 pp")
    book = Workbook(os.path.join(out, "compare.xlsx"))
    header = next((r for r in range(1, 200) if book.cell("Compare", cell_ref(r, 3))[1] == "Figure"), None)
    row = next((r for r in range(header + 1, header + 20) if book.cell("Compare", cell_ref(r, 0))[1] == "move.return"), None)
    kind, value, code = book.cell("Compare", cell_ref(row, 6)) if row is not None else (None, None, None)
    if kind != "number" or code is None or "pp" not in code:
        fail("xlsx: move.return's difference cell is %r in format %r, expected a number in percentage points" % (value, code))
    else:
        close(value, expected * 100, 1e-12, "xlsx move.return difference (percentage points)")
    # Without --tolerance nothing is red.
    if red_cells(book, "Compare"):
        fail("xlsx: a plain comparison has red cells %s" % sorted(red_cells(book, "Compare")))


class PageText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.figures, self.tables, self.svgs = [], [], 0, 0
        self.in_figure = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "figures" in classes:
            self.tables += 1
        if tag == "svg":
            self.svgs += 1
        if tag == "td" and "num" in classes:
            self.in_figure = True
            self.figures.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self.in_figure = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_figure:
            self.figures[-1] += data


def check_html(text, report):
    page = PageText()
    page.feed(text)
    if page.tables != len(report["outputs"]):
        fail("html: %d output tables, expected %d" % (page.tables, len(report["outputs"])))
    if page.svgs != 2 * len(report["outputs"]):
        fail("html: %d charts, expected %d" % (page.svgs, 2 * len(report["outputs"])))
    shown = " ".join(page.text)
    for figure in page.figures:
        if any(bad in figure.lower() for bad in ("nan", "inf", "undefined")) or figure.strip() == "":
            fail("html: a figure cell shows %r" % figure)
    for needed in ("$8.1B", "$7.43B", "-$675M", "$4.5B", "+22.22%"):
        if needed not in shown:
            fail("html: %r (13.5B x 60%%, 13.5B x 55%%, their difference, the actual, 1/4.5) is not on the page" % needed)


def check_markdown(text, report):
    rows = sum(len(o["figures"]) for o in report["outputs"])
    lines = [l for l in text.splitlines() if l.startswith("| ") and l.split(" | ")[1] in ("value", "mean", "P5", "P50", "P95")]
    if len(lines) != rows:
        fail("md: %d figure rows, expected %d" % (len(lines), rows))


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    impact, data, work = sys.argv[1:]
    a, b = os.path.join(data, "compare-h20-drawn-60.toml"), os.path.join(data, "compare-h20-drawn-55.toml")
    out = os.path.join(work, "compare-reports")
    shutil.rmtree(out, ignore_errors=True)
    run(impact, ["compare", a, b, "--draws", "2000", "--threads", "1", "--format", "json,csv,xlsx,html,md", "-o", out], 0)
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    with open(os.path.join(out, "compare.json"), encoding="utf-8") as f:
        report = json.load(f)
    check_json(report)
    with open(os.path.join(out, "compare.csv"), encoding="utf-8", newline="") as f:
        check_csv(f.read(), report, ("A", "B"))
    check_xlsx(os.path.join(out, "compare.xlsx"), report)
    with open(os.path.join(out, "compare.html"), encoding="utf-8") as f:
        check_html(f.read(), report)
    with open(os.path.join(out, "compare.md"), encoding="utf-8") as f:
        check_markdown(f.read(), report)

    # Three sides, the baseline last: the same agreement, column by column.
    three = os.path.join(work, "compare-reports-three")
    shutil.rmtree(three, ignore_errors=True)
    point = os.path.join(data, "compare-h20-margin-55.toml")
    run(impact, ["compare", a, point, b, "--baseline", b, "--draws", "500", "--threads", "1", "--format", "json,csv,xlsx",
                 "-o", three], 0)
    if os.path.isfile(os.path.join(three, "compare.json")):
        with open(os.path.join(three, "compare.json"), encoding="utf-8") as f:
            report3 = json.load(f)
        if report3["baseline"] != "C":
            fail("three sides: baseline %r, expected C" % report3["baseline"])
        check_json(report3, references=False)
        with open(os.path.join(three, "compare.csv"), encoding="utf-8", newline="") as f:
            check_csv(f.read(), report3, ("A", "C"))
        check_xlsx(os.path.join(three, "compare.xlsx"), report3)

    # A check beyond its tolerance still writes every report, and exits 4.
    beyond = os.path.join(work, "compare-reports-beyond")
    shutil.rmtree(beyond, ignore_errors=True)
    run(impact, ["compare", a, b, "--tolerance", "1%", "--format", "md,xlsx,html", "-o", beyond], 4)
    for name in ("compare.md", "compare.xlsx", "compare.html"):
        if not os.path.isfile(os.path.join(beyond, name)):
            fail("--tolerance 1%% (exit 4): %s was not written" % name)
    if os.path.isfile(os.path.join(beyond, "compare.xlsx")):
        check_xlsx_status(os.path.join(beyond, "compare.xlsx"))
    if os.path.isfile(os.path.join(beyond, "compare.md")):
        with open(os.path.join(beyond, "compare.md"), encoding="utf-8") as f:
            if "3 of 5 outputs beyond 1% (exit 4)" not in f.read():
                fail("md: the outcome line of a failed check is missing (3 of 5 outputs beyond 1%)")

    check_percentage_points(impact, work)

    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    print("check_compare_reports: json, csv, xlsx, html and md agree; references hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
