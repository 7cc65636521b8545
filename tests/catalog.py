"""The message catalogs, kept with Babel: extract the messages of the code, merge them
into each language's .po (translations kept, new messages added untranslated) and compile
the .mo.

    python -m tests.catalog            # say what is out of date (exit 1 if anything is)
    python -m tests.catalog --update   # rewrite messages.pot, the .po files and the .mo files

The same as `pybabel extract -F babel.cfg -k N_` + `pybabel update` + `pybabel compile`,
except that it compiles with Babel's `write_mo` without pybabel's %-format check: our
messages use brace placeholders, and a text such as "CVaR 95% of the loss" is no
%-placeholder (pybabel compile would refuse its French "95 % de").
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "optimizer" / "locale"
POT = LOCALE / "messages.pot"
SOURCES = ("optimizer", "cli")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PROJECT = "cluster-optimizer"


def extract() -> Catalog:
    """Every message the code marks (`_`, `N_`, `ngettext`), without locations."""
    pot = Catalog(project=PROJECT, version="2", copyright_holder=f"{PROJECT} contributors",
                  fuzzy=False)
    for source in SOURCES:
        for _path, _line, message, comments, context in extract_from_dir(
                ROOT / source, method_map=[("**.py", "python")], keywords=KEYWORDS):
            pot.add(message, None, auto_comments=comments, context=context)
    return pot


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "optimizer.po"


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES").is_dir())


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def compiled(po: Catalog) -> bytes:
    """The .mo of a catalog, as Babel writes it."""
    out = io.BytesIO()
    write_mo(out, po)
    return out.getvalue()


def po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, no_location=True, sort_output=True, omit_header=False)
    return out.getvalue()


def msgids(catalog: Catalog) -> set[tuple[str | None, str | tuple[str, ...]]]:
    """(context, msgid) of every message."""
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id))
            for m in catalog if m.id}


def untranslated(po: Catalog) -> list[str]:
    """Messages with an empty translation (any plural form empty counts)."""
    out = []
    for m in po:
        if not m.id:
            continue
        forms = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if not all(forms):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def update() -> None:
    pot = extract()
    POT.write_bytes(po_text(pot))
    for lang in languages():
        path = po_path(lang)
        po = read(path)
        po.update(pot, no_fuzzy_matching=True)
        for m in po:  # brace formats only (see the module's docstring)
            m.flags.discard("python-format")
        po.obsolete.clear()
        path.write_bytes(po_text(po))
        path.with_suffix(".mo").write_bytes(compiled(read(path)))


def check() -> list[str]:
    problems = []
    code = msgids(extract())
    for lang in languages():
        po = read(po_path(lang))
        missing = code - msgids(po)
        if missing:
            problems.append(f"{lang}: {len(missing)} messages of the code are not in the .po")
        empty = untranslated(po)
        if empty:
            problems.append(f"{lang}: {len(empty)} messages are not translated")
        if po_path(lang).with_suffix(".mo").read_bytes() != compiled(po):
            problems.append(f"{lang}: the .mo is not the compile of the .po")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args(argv)
    if args.update:
        update()
    problems = check()
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
