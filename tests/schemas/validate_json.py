#!/usr/bin/python3
"""Checks docs/schemas against their metaschema, the committed JSON goldens and fresh `impact` output against docs/schemas.

Usage: validate_json.py --source-dir DIR [--impact EXE --work-dir DIR]

Every document names its schema in its "schema" member ("impact.run/1" is checked against
docs/schemas/impact.run-1.schema.json); a document without one, or naming a schema that has no
file, fails. Deliberately broken copies of the goldens must fail validation, so that a schema
that accepts anything fails this test. Exit 0 when every check passes, 1 otherwise (each failure
printed with the file and the path inside it), 77 when python3-jsonschema is not installed.
"""

import argparse
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:  # the test is registered only when it imports; 77 tells ctest it was skipped
    print("validate_json.py: python3-jsonschema is not installed (scripts/install-deps.sh)")
    sys.exit(77)

SCHEMA_ID_PREFIX = "https://impact.invalid/schemas/"


class Checks:
    """Counts checks and failures; every failure is printed at once with what it concerns."""

    def __init__(self):
        self.passed = 0
        self.failures = []

    def ok(self, condition, what):
        if condition:
            self.passed += 1
        else:
            self.failures.append(what)
            print("FAIL: " + what)
        return condition


def schema_file_name(schema_name):
    """"impact.run/1" -> "impact.run-1.schema.json"."""
    return schema_name.replace("/", "-") + ".schema.json"


def load_schemas(schema_dir, checks):
    """Every docs/schemas/*.schema.json by its "$id", each checked against its metaschema."""
    store = {}
    for path in sorted(glob.glob(os.path.join(schema_dir, "*.schema.json"))):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        name = os.path.basename(path)
        try:
            Draft202012Validator.check_schema(schema)
            checks.ok(True, name)
        except jsonschema.exceptions.SchemaError as e:
            checks.ok(False, "%s is not a valid draft 2020-12 schema: %s" % (name, e.message))
        checks.ok(schema.get("$id") == SCHEMA_ID_PREFIX + name,
                  "%s: $id is %r, expected %r" % (name, schema.get("$id"), SCHEMA_ID_PREFIX + name))
        checks.ok(schema.get("title") == name[: -len(".schema.json")].replace("-", "/", 1)
                  and name.count("-") == 1,
                  "%s: title %r does not name the schema the file is named after" % (name, schema.get("title")))
        checks.ok(bool(schema.get("description")), "%s: no description" % name)
        undescribed = list(members_without_description(schema, "#"))
        checks.ok(not undescribed, "%s: members without a description: %s" % (name, ", ".join(undescribed)))
        store[schema.get("$id")] = schema
    return store


def members_without_description(node, where):
    """Paths of members ("properties" entries) that neither describe themselves nor refer to a definition.

    Only the subschemas that declare members are walked: the conditions of if/then/else and allOf
    restate members described elsewhere."""
    if not isinstance(node, dict):
        return
    for key, member in node.get("properties", {}).items():
        if isinstance(member, dict) and "description" not in member and "$ref" not in member:
            yield "%s/properties/%s" % (where, key)
        yield from members_without_description(member, "%s/properties/%s" % (where, key))
    for keyword in ("items", "additionalProperties"):
        yield from members_without_description(node.get(keyword), "%s/%s" % (where, keyword))
    for key, definition in node.get("$defs", {}).items():
        yield from members_without_description(definition, "%s/$defs/%s" % (where, key))


def validation_errors(document, store):
    """The ways `document` breaks the schema its "schema" member names (a missing or unknown name is one)."""
    if not isinstance(document, dict) or not isinstance(document.get("schema"), str):
        return ["no \"schema\" member naming the document's schema"]
    schema_id = SCHEMA_ID_PREFIX + schema_file_name(document["schema"])
    schema = store.get(schema_id)
    if schema is None:
        return ["names schema %r, which has no file %s in docs/schemas" % (document["schema"],
                                                                             schema_file_name(document["schema"]))]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = Draft202012Validator(schema, resolver=resolver, format_checker=jsonschema.draft202012_format_checker)
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(document)", e.message[:300])
            for e in validator.iter_errors(document)]


def check_document(document, origin, store, checks):
    errors = validation_errors(document, store)
    checks.ok(not errors, "%s does not validate:\n    %s" % (origin, "\n    ".join(errors)))


def committed_goldens(source_dir):
    """Every committed JSON golden: *.json under tests/ (never the untracked *.actual files)."""
    return sorted(p for p in glob.glob(os.path.join(source_dir, "tests", "**", "*.json"), recursive=True)
                  if not p.endswith(".actual"))


# Each breaks a document in one way its schema must notice: (what, which schema, how).
def _drop(member):
    return lambda d: d.pop(member)


def _set(path, value):
    def apply(d):
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return apply


BREAKAGES = [
    ("plugins without \"plugins\"", "impact.plugins/1", _drop("plugins")),
    ("plugins with runs \"sideways\"", "impact.plugins/1", _set(["plugins", 0, "runs"], "sideways")),
    ("plugins with host_abi.major as text", "impact.plugins/1", _set(["host_abi", "major"], "1")),
    ("describe with an input kind \"colour\"", "impact.describe/1", _set(["inputs", 0, "kind"], "colour")),
    ("describe with min as text", "impact.describe/1", _set(["inputs", 0, "min"], "0")),
    ("convert with a currency \"usd\"", "impact.convert/1", _set(["amount", "currency"], "usd")),
    ("convert without \"rate\"", "impact.convert/1", _drop("rate")),
    ("run without \"provenance\"", "impact.run/1", _drop("provenance")),
    ("run with a step's ranged as \"no\"", "impact.run/1", _set(["steps", 0, "ranged"], "no")),
    ("run with a direction \"up\"", "impact.run/1",
     lambda d: next(iter(d["steps"][0]["outputs"].values())).__setitem__("direction", "up")),
    ("run with a failed step without its error", "impact.run/1", _set(["steps", 0, "status"], "failed")),
    ("sensitivity with a tornado source \"guess\"", "impact.sensitivity/1",
     _set(["tornado", "inputs", 0, "source"], "guess")),
    ("sensitivity with a computed Sobol status and no indices", "impact.sensitivity/1",
     lambda d: d["sobol"].pop("inputs")),
]


def check_broken_documents(goldens_by_schema, store, checks):
    for what, schema_name, breaks in BREAKAGES:
        if not checks.ok(schema_name in goldens_by_schema, "no golden of %s to break (%s)" % (schema_name, what)):
            continue
        document = copy.deepcopy(goldens_by_schema[schema_name])
        breaks(document)
        checks.ok(bool(validation_errors(document, store)), "a broken document validates: " + what)
    # A document must name a schema, and one that has a file.
    checks.ok(bool(validation_errors({"value": 1}, store)), "a document without \"schema\" validates")
    checks.ok(bool(validation_errors({"schema": "impact.nonesuch/1"}, store)), "an unknown schema name validates")
    checks.ok(bool(validation_errors({"schema": "impact.run/2"}, store)), "an unknown major version validates")
    good_error = {"schema": "impact.error/1", "code": "input_error", "exit_code": 2, "file": "a.toml", "line": 3,
                  "column": 4, "key": "step.x.y", "expected": "a number", "found": "'x'",
                  "message": "a.toml:3:4: step.x.y: expected a number, found 'x'"}
    checks.ok(not validation_errors(good_error, store), "a well-formed impact.error/1 object does not validate")
    for what, change in [("exit code 3 for an input error", {"exit_code": 3}), ("code \"oops\"", {"code": "oops"}),
                         ("line 0", {"line": 0}), ("no message", {"message": None}),
                         ("found without expected", {"expected": None})]:
        broken = dict(good_error, **change)
        checks.ok(bool(validation_errors(broken, store)), "a broken impact.error/1 object validates: " + what)


def run_impact(impact, args, env):
    return subprocess.run([impact] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)


def check_fresh_output(impact, source_dir, work_dir, store, checks):
    """Runs cheap commands of the built `impact` and validates what they write."""
    env = dict(os.environ)
    env.pop("IMPACT_PLUGIN_PATH", None)
    env.pop("XDG_CACHE_HOME", None)
    env["IMPACT_CACHE_DIR"] = tempfile.mkdtemp(prefix="cache-", dir=work_dir)
    data = os.path.join(source_dir, "tests", "cli", "data")
    samples = os.path.join(source_dir, "samples")

    def document_of(args, expect_exit=0):
        shown = "impact " + " ".join(args)
        result = run_impact(impact, args, env)
        if not checks.ok(result.returncode == expect_exit, "%s: exit %d, expected %d\nstderr: %s" % (
                shown, result.returncode, expect_exit, result.stderr.decode("utf-8", "replace"))):
            return None
        try:
            document = json.loads(result.stdout)
        except ValueError as e:
            checks.ok(False, "%s: stdout is not JSON (%s)" % (shown, e))
            return None
        check_document(document, shown, store, checks)
        return document

    listing = document_of(["plugins", "--json"])
    models = [m["id"] for p in (listing or {}).get("plugins", []) for m in p.get("models", [])]
    checks.ok(len(models) >= 1, "impact plugins --json lists no model")
    for model in models:
        document_of(["describe", model, "--json"])
    document_of(["convert", "5.5B", "USD", "KRW", "--rate", "1428.8", "--json"])
    document_of(["convert", "1M", "EUR", "KRW", "--rates", os.path.join(data, "usd-krw.csv"), "--date", "2025-04-14",
                 "--json"])
    for sample in ["h20-export-licence-2025-04.toml", "h200-china-2025-12.toml"]:
        document_of(["run", os.path.join(samples, sample), "--format", "json"])
    document_of(["run", os.path.join(samples, "h20-export-licence-2025-04.toml"), "--format", "json", "--draws", "2000",
                 "--threads", "1", "--quiet"])
    document_of(["run", os.path.join(samples, "h200-china-2025-12.toml"), "--format", "json", "--cases"])
    document_of(["run", os.path.join(data, "scenario-until-uniform.toml"), "--format", "json", "--draws", "40000",
                 "--until", "mean:50%", "--threads", "1", "--quiet"])
    document_of(["sensitivity", os.path.join(samples, "h20-export-licence-2025-04.toml"), "--output", "h20.total_impact",
                 "--draws", "200", "--threads", "1", "--format", "json"])
    compare = [os.path.join(data, "compare-h20-margin-60.toml"), os.path.join(data, "compare-h20-margin-55.toml")]
    document_of(["compare"] + compare + ["--format", "json"])
    document_of(["compare"] + compare + ["--format", "json", "--tolerance", "1%", "--draws", "2000", "--threads", "1"],
                expect_exit=4)

    # Failures with --error-format json: one impact.error/1 object per stderr line.
    failures = [
        (["convert", "nan", "USD", "KRW", "--rate", "1428.8"], 2),
        (["run", os.path.join(data, "scenario-big-integer.toml")], 2),
        (["run", os.path.join(data, "scenario-overflow.toml")], 3),
        (["run", "/nonexistent/scenario.toml"], 2),
        (["plugins", "--frobnicate"], 2),
        (["compare"] + compare + ["--tolerance", "1%"], 4),
    ]
    for args, expect_exit in failures:
        shown = "impact --error-format json " + " ".join(args)
        result = run_impact(impact, ["--error-format", "json"] + args, env)
        checks.ok(result.returncode == expect_exit, "%s: exit %d, expected %d" % (shown, result.returncode, expect_exit))
        lines = result.stderr.decode("utf-8").splitlines()
        checks.ok(len(lines) == 1, "%s: expected one stderr line, found %d: %r" % (shown, len(lines), lines))
        for line in lines:
            try:
                error = json.loads(line)
            except ValueError as e:
                checks.ok(False, "%s: stderr line is not JSON (%s): %r" % (shown, e, line))
                continue
            check_document(error, shown + " (stderr)", store, checks)
            checks.ok(error.get("exit_code") == expect_exit,
                      "%s: exit_code %r in the object, expected %d" % (shown, error.get("exit_code"), expect_exit))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--impact", help="the built impact, to validate its fresh output too")
    parser.add_argument("--work-dir", help="a folder for the plugin cache of the fresh runs")
    args = parser.parse_args()
    checks = Checks()

    schema_dir = os.path.join(args.source_dir, "docs", "schemas")
    store = load_schemas(schema_dir, checks)
    with open(os.path.join(schema_dir, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    for schema_id in store:
        name = schema_id[len(SCHEMA_ID_PREFIX):]
        checks.ok(name in readme, "docs/schemas/README.md does not list " + name)

    goldens_by_schema = {}
    goldens = committed_goldens(args.source_dir)
    checks.ok(len(goldens) >= 1, "no JSON golden found under %s/tests" % args.source_dir)
    for path in goldens:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        check_document(document, os.path.relpath(path, args.source_dir), store, checks)
        if isinstance(document, dict) and isinstance(document.get("schema"), str):
            goldens_by_schema.setdefault(document["schema"], document)
    check_broken_documents(goldens_by_schema, store, checks)

    if args.impact:
        os.makedirs(args.work_dir, exist_ok=True)
        check_fresh_output(args.impact, args.source_dir, args.work_dir, store, checks)

    print("validate_json.py: %d checks passed, %d failed (%d schemas, %d goldens)" % (
        checks.passed, len(checks.failures), len(store), len(goldens)))
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
