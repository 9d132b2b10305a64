#!/usr/bin/env python3
"""The msgids of ltvkit's message catalogue (docs/i18n.md).

The msgids are every tr("..."), trf("...") and N_("...") in the C++ sources (found by xgettext)
plus the texts of the built-in TOML configurations that are shown to people: the default
playbook's reason templates and the built-in segments' names, purposes and descriptions.

  i18n_msgids.py --xgettext xgettext --source DIR --pot OUT      write the template (.pot)
  i18n_msgids.py --xgettext xgettext --source DIR --check PO     list msgids PO does not
      translate (missing, empty, fuzzy, or with other {placeholders}); exit 1 when any
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

KEYWORDS = ["tr", "trf", "N_", "translate"]
# Built-in configurations: (file, TOML keys whose string values are shown to people).
TOML_TEXTS = [
    ("src/cvm/actions_default_config.cpp", ["reason"]),
    ("src/segment/segment_default_config.cpp", ["name", "purpose", "description"]),
]


def sources(root):
    out = []
    for top in ("src", "apps"):
        for d, _, files in os.walk(os.path.join(root, top)):
            out += [os.path.relpath(os.path.join(d, f), root) for f in files
                    if f.endswith((".cpp", ".hpp"))]
    return sorted(out)


def po_unquote(s):
    return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def po_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def parse_po(text):
    """msgid -> (msgstr, fuzzy) for every entry (the header, msgid "", excluded)."""
    entries, cur, field, fuzzy = {}, None, None, False
    def flush():
        if cur is not None and cur.get("msgid"):
            entries[cur["msgid"]] = (cur.get("msgstr", ""), cur["fuzzy"])
    for line in text.splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            flush()
            cur, field = {"msgid": po_unquote(line[7:-1]), "fuzzy": fuzzy}, "msgid"
            fuzzy = False
        elif line.startswith("msgstr "):
            cur["msgstr"], field = po_unquote(line[8:-1]), "msgstr"
        elif line.startswith('"') and cur is not None and field:
            cur[field] = cur.get(field, "") + po_unquote(line[1:-1])
        elif line.startswith("#~"):
            field = None
    flush()
    return entries


def toml_texts(root):
    out = []
    for rel, keys in TOML_TEXTS:
        with open(os.path.join(root, rel), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = re.match(r'^(\w+) = "((?:[^"\\]|\\.)*)"', line)
                if m and m.group(1) in keys:
                    out.append((m.group(2).replace('\\"', '"'), f"{rel}:{n}"))
    return out


def make_pot(xgettext, root):
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "code.pot")
        args = [xgettext, "--language=C++", "--from-code=UTF-8", "--no-wrap", "--sort-by-file",
                "--package-name=ltvkit", "-o", pot, "--directory", root]
        for k in KEYWORDS:
            args += [f"--keyword={k}:1", f"--flag={k}:1:no-c-format"]
        # trl(language, msgid, ...) in src/i18n/errors.cpp
        args += ["--keyword=trl:2", "--flag=trl:2:no-c-format"]
        subprocess.run(args + sources(root), check=True)
        with open(pot, encoding="utf-8") as f:
            code = f.read()
    code = code.replace("CHARSET", "UTF-8")
    known = set(parse_po(code))
    extra = []
    for text, where in toml_texts(root):
        if text in known:
            continue
        known.add(text)
        extra.append(f"#: {where}\n#, no-c-format\nmsgid {po_quote(text)}\nmsgstr \"\"\n")
    return code + "\n" + "\n".join(extra)


def placeholders(s):
    return sorted(re.findall(r"\{[^{}]*\}", s))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xgettext", default="xgettext")
    ap.add_argument("--source", required=True)
    ap.add_argument("--pot")
    ap.add_argument("--check")
    a = ap.parse_args()
    pot = make_pot(a.xgettext, a.source)
    if a.pot:
        with open(a.pot, "w", encoding="utf-8") as f:
            f.write(pot)
    if a.check:
        with open(a.check, encoding="utf-8") as f:
            po = parse_po(f.read())
        msgids = parse_po(pot)
        bad = []
        for msgid in msgids:
            if msgid not in po:
                bad.append(("missing", msgid))
            elif po[msgid][1]:
                bad.append(("fuzzy", msgid))
            elif not po[msgid][0]:
                bad.append(("untranslated", msgid))
            elif placeholders(po[msgid][0]) != placeholders(msgid):
                bad.append(("placeholders differ", msgid))
        for why, msgid in bad:
            print(f"{a.check}: {why}: {msgid!r}")
        print(f"{len(msgids)} msgids, {len(bad)} not translated in {a.check}")
        if not msgids:
            print("no msgids found: the extraction is broken")
            return 1
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
