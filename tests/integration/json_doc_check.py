#!/usr/bin/env python3
"""
json_doc_check.py DOC JSON...: every field name in each JSON document is
documented in DOC (docs/json.md) (JSON files that are no scaletrace document
are skipped): in the section of the document's schema
(a "## `scaletrace.NAME/V`" heading) or in the header every document shares.
A name counts as documented when it stands inside backticks there. Objects
whose keys are data (doctor's features and modules by name) are not walked.
Exit 1, naming the fields, when one is missing.
"""
import json
import re
import sys

DATA_KEYED = {"features", "modules"}


def sections(text):
    """{schema: set of names}, plus "" for the text before the first section."""
    out, cur = {"": set()}, [""]
    for line in text.splitlines():
        if line.startswith("## "):
            cur = re.findall(r"`(scaletrace\.[a-z]+/\d+)`", line) or [line]
            for c in cur:
                out.setdefault(c, set())
            continue
        names = set()
        for tick in re.findall(r"`([^`]*)`", line):
            names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tick))
        for c in cur:
            out[c] |= names
    return out


def keys(v, path=""):
    """(path, key) of every object key, recursively."""
    if isinstance(v, dict):
        for k, x in v.items():
            yield path, k
            if k not in DATA_KEYED:
                yield from keys(x, f"{path}.{k}")
    elif isinstance(v, list):
        for x in v:
            yield from keys(x, f"{path}[]")


def main():
    doc = sections(open(sys.argv[1]).read())
    bad = 0
    for path in sys.argv[2:]:
        j = json.load(open(path))
        schema = j.get("schema", "") if isinstance(j, dict) else ""
        if not schema.startswith("scaletrace."):
            print(f"{path}: not a scaletrace document, skipped")
            continue
        if schema not in doc:
            print(f"{path}: schema {schema!r} has no section in {sys.argv[1]}")
            bad += 1
            continue
        known = doc[schema] | doc[""]
        missing = sorted({f"{p}.{k}" for p, k in keys(j) if k not in known})
        n = len({k for _, k in keys(j)})
        print(f"{path}: {schema}: {n} distinct field names, {len(missing)} undocumented"
              + (f": {', '.join(missing)}" if missing else ""))
        bad += bool(missing)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
