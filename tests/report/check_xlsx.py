#!/usr/bin/python3
"""Checks an Excel workbook (.xlsx) against a small JSON file of expectations; standard library only.

Usage:
    check_xlsx.py WORKBOOK.xlsx EXPECTATIONS.json   exit 0 when every expectation holds, 1 with one
                                                    line per mismatch on stderr, 2 on bad arguments
    check_xlsx.py --dump WORKBOOK.xlsx              prints the sheets, every non-empty cell (kind, value,
                                                    format) and the chart types: a start for expectations
    check_xlsx.py --self-test                       proves that each kind of mismatch is caught

EXPECTATIONS.json (every member optional):
    {
      "sheets":  ["Summary", "Assumptions"],          the sheet names, all of them, in order
      "numbers": [{"sheet": "Summary", "cell": "B7", "value": 13.6e9,
                   "format": "[$$-409]#,##0.00",      the number format code as Excel stores it
                   "tolerance": 0.5}],                optional; default 1e-12 of |value|
      "texts":   [{"sheet": "Summary", "cell": "A1", "value": "반도체"}],
      "empty":   [{"sheet": "Summary", "cell": "C7"}], no value at all (a format alone is fine)
      "charts":  ["column", "line", "bar"]             chart types in any order; the count must match
    }
A number must be a number cell: the same digits stored as text fail. Chart types are "column" and
"bar" (a barChart by its direction), "line", "area", "pie", "scatter", "stock", "radar", "doughnut".

Whatever the expectations, every chart's data references must name sheets of the workbook, and
the cells its values read must be numbers or empty.
"""

import json
import math
import os
import re
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS = {"m": MAIN, "c": CHART, "pr": PKG_REL}

# Excel's built-in number formats (ECMA-376 Part 1, 18.8.30) that a workbook refers to by id only.
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                   11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "m/d/yy", 49: "@"}


class Workbook:
    """The sheets, cells, number formats and charts of one .xlsx file."""

    def __init__(self, path):
        with zipfile.ZipFile(path) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        self.shared = self._shared_strings()
        self.formats = self._cell_formats()
        self.sheet_names, self.sheets = self._sheets()
        self.charts = sorted(name for name in self.parts if re.fullmatch(r"xl/charts/chart\d+\.xml", name))

    def _xml(self, name):
        return ET.fromstring(self.parts[name])

    def _shared_strings(self):
        if "xl/sharedStrings.xml" not in self.parts:
            return []
        root = self._xml("xl/sharedStrings.xml")
        return ["".join(t.text or "" for t in si.iter("{%s}t" % MAIN)) for si in root.findall("m:si", NS)]

    def _cell_formats(self):
        """Style index -> number format code."""
        root = self._xml("xl/styles.xml")
        codes = dict(BUILTIN_FORMATS)
        for fmt in root.findall("m:numFmts/m:numFmt", NS):
            codes[int(fmt.get("numFmtId"))] = fmt.get("formatCode")
        return [codes.get(int(xf.get("numFmtId", "0")), "builtin #" + xf.get("numFmtId", "0"))
                for xf in root.findall("m:cellXfs/m:xf", NS)]

    def _sheets(self):
        workbook = self._xml("xl/workbook.xml")
        rels = self._xml("xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("pr:Relationship", NS)}
        names, sheets = [], {}
        for sheet in workbook.findall("m:sheets/m:sheet", NS):
            name = sheet.get("name")
            target = targets[sheet.get("{%s}id" % REL)].lstrip("/")
            part = target if target.startswith("xl/") else "xl/" + target
            names.append(name)
            sheets[name] = self._cells(part)
        return names, sheets

    def _cells(self, part):
        """Cell reference -> (kind, value, format): kind "number", "text", "bool", "error" or "blank"."""
        cells = {}
        for c in self._xml(part).iter("{%s}c" % MAIN):
            style = int(c.get("s", "0"))
            fmt = self.formats[style] if style < len(self.formats) else "missing style %d" % style
            kind, v = c.get("t", "n"), c.find("m:v", NS)
            if kind == "inlineStr":
                cells[c.get("r")] = ("text", "".join(t.text or "" for t in c.iter("{%s}t" % MAIN)), fmt)
            elif v is None:
                cells[c.get("r")] = ("blank", None, fmt)
            elif kind == "s":
                cells[c.get("r")] = ("text", self.shared[int(v.text)], fmt)
            elif kind in ("str",):
                cells[c.get("r")] = ("text", v.text or "", fmt)
            elif kind == "n":
                cells[c.get("r")] = ("number", float(v.text), fmt)
            elif kind == "b":
                cells[c.get("r")] = ("bool", v.text, fmt)
            else:
                cells[c.get("r")] = ("error", v.text, fmt)
        return cells

    def cell(self, sheet, ref):
        return self.sheets[sheet].get(ref, ("blank", None, None))

    def chart_types(self):
        types = []
        for name in self.charts:
            plot = self._xml(name).find("c:chart/c:plotArea", NS)
            for child in plot:
                tag = child.tag.split("}")[1]
                if not tag.endswith("Chart"):
                    continue
                kind = tag[:-len("Chart")].lower()
                if kind in ("bar", "bar3d"):
                    direction = child.find("c:barDir", NS)
                    kind = "column" if direction is not None and direction.get("val") == "col" else "bar"
                types.append(kind)
        return types

    def chart_references(self):
        """(chart part, "val" | "cat" | "tx", formula) for every data reference of every chart."""
        found = []
        for name in self.charts:
            root = self._xml(name)
            for ser in root.iter("{%s}ser" % CHART):
                for role in ("val", "cat", "tx"):
                    for f in ser.findall("c:%s//c:f" % role, NS):
                        found.append((name, role, f.text or ""))
        return found


def column_number(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n


def column_letters(n):
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def expand_reference(formula):
    """"'Charts data'!$B$3:$B$5" -> ("Charts data", ["B3", "B4", "B5"]), or None when malformed."""
    match = re.fullmatch(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", formula)
    if not match:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
    c1, r1 = column_number(match.group(3)), int(match.group(4))
    c2, r2 = (column_number(match.group(5)), int(match.group(6))) if match.group(5) else (c1, r1)
    return sheet, [column_letters(c) + str(r) for c in range(c1, c2 + 1) for r in range(r1, r2 + 1)]


def check(workbook, expected):
    """Every mismatch as one line."""
    problems = []
    if "sheets" in expected and workbook.sheet_names != expected["sheets"]:
        problems.append("sheets: expected %s, found %s" % (expected["sheets"], workbook.sheet_names))

    def sheet_of(item, what):
        if item["sheet"] not in workbook.sheets:
            problems.append("%s %s!%s: no sheet %r (sheets: %s)" % (what, item["sheet"], item["cell"], item["sheet"],
                                                                  workbook.sheet_names))
            return False
        return True

    for item in expected.get("numbers", []):
        if not sheet_of(item, "number"):
            continue
        where = "%s!%s" % (item["sheet"], item["cell"])
        kind, value, fmt = workbook.cell(item["sheet"], item["cell"])
        if kind != "number":
            problems.append("%s: expected the number %r, found %s %r" % (where, item["value"], kind, value))
            continue
        tolerance = item.get("tolerance", 1e-12 * abs(item["value"]))
        if not math.isclose(value, item["value"], rel_tol=0, abs_tol=tolerance):
            problems.append("%s: expected %r (tolerance %g), found %r" % (where, item["value"], tolerance, value))
        if "format" in item and fmt != item["format"]:
            problems.append("%s: expected the number format %r, found %r" % (where, item["format"], fmt))
    for item in expected.get("texts", []):
        if not sheet_of(item, "text"):
            continue
        kind, value, _ = workbook.cell(item["sheet"], item["cell"])
        if kind != "text" or value != item["value"]:
            problems.append("%s!%s: expected the text %r, found %s %r" % (item["sheet"], item["cell"], item["value"], kind, value))
    for item in expected.get("empty", []):
        if not sheet_of(item, "empty"):
            continue
        kind, value, _ = workbook.cell(item["sheet"], item["cell"])
        if kind != "blank":
            problems.append("%s!%s: expected an empty cell, found %s %r" % (item["sheet"], item["cell"], kind, value))
    if "charts" in expected:
        found = workbook.chart_types()
        if sorted(found) != sorted(expected["charts"]):
            problems.append("charts: expected %d %s, found %d %s" % (len(expected["charts"]), sorted(expected["charts"]),
                                                                    len(found), sorted(found)))
    for part, role, formula in workbook.chart_references():
        reference = expand_reference(formula)
        if reference is None:
            problems.append("%s: %s reference %r is not a sheet!range" % (part, role, formula))
            continue
        sheet, cells = reference
        if sheet not in workbook.sheets:
            problems.append("%s: %s reference %r names no sheet of the workbook" % (part, role, formula))
            continue
        for ref in cells:
            kind, value, _ = workbook.cell(sheet, ref)
            if role == "val" and kind not in ("number", "blank"):
                problems.append("%s: values cell %s!%s is %s %r, not a number" % (part, sheet, ref, kind, value))
    return problems


def dump(workbook):
    print("sheets:", json.dumps(workbook.sheet_names, ensure_ascii=False))
    for name in workbook.sheet_names:
        for ref, (kind, value, fmt) in workbook.sheets[name].items():
            if kind != "blank":
                print("%s!%s\t%s\t%s\t%s" % (name, ref, kind, json.dumps(value, ensure_ascii=False), fmt))
    print("charts:", json.dumps(workbook.chart_types()))
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) == 3 and argv[1] == "--dump":
        return dump(Workbook(argv[2]))
    if len(argv) != 3:
        print("usage: check_xlsx.py WORKBOOK.xlsx EXPECTATIONS.json | --dump WORKBOOK.xlsx | --self-test", file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as f:
        expected = json.load(f)
    try:
        workbook = Workbook(argv[1])
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError) as error:
        print("%s: not a readable workbook: %s" % (argv[1], error), file=sys.stderr)
        return 1
    problems = check(workbook, expected)
    for problem in problems:
        print("%s: %s" % (argv[1], problem), file=sys.stderr)
    if not problems:
        print("%s: %d sheets, %d charts, every expectation of %s holds" % (argv[1], len(workbook.sheet_names),
                                                                          len(workbook.charts), argv[2]))
    return 1 if problems else 0


# ---- Self-test: a hand-made workbook, and expectations that must each fail -------------------------

def write_tiny_workbook(path, cells_xml, chart_xml):
    """A minimal workbook: one sheet "Data" with `cells_xml` in row 1, one custom format (id 164)."""
    parts = {
        "xl/workbook.xml": '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
                           '</sheets></workbook>' % (MAIN, REL),
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="%s"><Relationship Id="rId1" Type="worksheet" '
                                      'Target="worksheets/sheet1.xml"/></Relationships>' % PKG_REL,
        "xl/styles.xml": '<styleSheet xmlns="%s"><numFmts count="1"><numFmt numFmtId="164" formatCode="[$$-409]#,##0.00"/>'
                         '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="10"/></cellXfs>'
                         '</styleSheet>' % MAIN,
        "xl/sharedStrings.xml": '<sst xmlns="%s"><si><t>1.5</t></si><si><t>반도체</t></si></sst>' % MAIN,
        "xl/worksheets/sheet1.xml": '<worksheet xmlns="%s"><sheetData><row r="1">%s</row></sheetData></worksheet>'
                                    % (MAIN, cells_xml),
        "xl/charts/chart1.xml": '<chartSpace xmlns="%s"><chart><plotArea>%s</plotArea></chart></chartSpace>'
                                % (CHART, chart_xml),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode("utf-8"))


def self_test():
    good_cells = '<c r="A1" s="1"><v>1234.5</v></c><c r="B1" s="2"><v>0.063</v></c><c r="C1" t="s"><v>1</v></c>'
    column = ('<barChart><barDir val="col"/><ser><cat><strRef><f>Data!$C$1</f></strRef></cat>'
              '<val><numRef><f>Data!$A$1:$B$1</f></numRef></val></ser></barChart>')
    expected = {"sheets": ["Data"],
                "numbers": [{"sheet": "Data", "cell": "A1", "value": 1234.5, "format": "[$$-409]#,##0.00"},
                            {"sheet": "Data", "cell": "B1", "value": 0.063, "format": "0.00%"}],
                "texts": [{"sheet": "Data", "cell": "C1", "value": "반도체"}],
                "empty": [{"sheet": "Data", "cell": "D1"}],
                "charts": ["column"]}
    # Each case: what is wrong, the cells, the chart, and the expectations; all but the first must fail.
    cases = [
        ("nothing", good_cells, column, expected, 0),
        ("a number written as text", good_cells.replace('<c r="A1" s="1"><v>1234.5</v></c>',
                                                        '<c r="A1" s="1" t="s"><v>0</v></c>'), column, expected, 1),
        ("a wrong number format", good_cells.replace('r="A1" s="1"', 'r="A1" s="0"'), column, expected, 1),
        ("a wrong value", good_cells.replace("1234.5", "1234.6"), column, expected, 1),
        ("a zero where an empty cell is due", good_cells + '<c r="D1"><v>0</v></c>', column, expected, 1),
        ("a wrong chart type", good_cells, column.replace('val="col"', 'val="bar"'), expected, 1),
        ("a missing sheet", good_cells, column, dict(expected, sheets=["Data", "Summary"]), 1),
        ("a chart reading text as values", good_cells, column.replace("$A$1:$B$1", "$A$1:$C$1"), expected, 1),
        ("a chart reading another workbook's sheet", good_cells, column.replace("Data!$A$1", "Other!$A$1"), expected, 1),
    ]
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for what, cells, chart, expectations, wanted in cases:
            path = os.path.join(folder, "tiny.xlsx")
            write_tiny_workbook(path, cells, chart)
            problems = check(Workbook(path), expectations)
            caught = 1 if problems else 0
            if caught != wanted:
                failures += 1
                print("self-test: %s: expected %s, found %s" % (what, "a mismatch" if wanted else "no mismatch",
                                                                problems or "no mismatch"), file=sys.stderr)
            else:
                print("self-test: %s: %s" % (what, problems[0] if problems else "passes"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
