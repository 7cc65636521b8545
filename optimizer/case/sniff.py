"""What a file that is not a JSON case is, in words, and what to do about it.

`load.parse_json_text` asks here when the bytes are empty, not UTF-8 or not JSON: an
Excel workbook renamed .json, a YAML file, Latin-1 text, a decimal comma (`0,60`) or a
comma after the last item get a message that says what the file is and how to fix it,
with the line and column where it breaks.
"""

from __future__ import annotations

import json
import re

from ..i18n import N_
from ..i18n import gettext as _

# How a case file starts (the message shows it).
EXAMPLE = '{"name": ..., "revenues": [...], ...}'
# Signatures of files that are not text: (first bytes, what the file is).
_BINARY = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     N_("an old Excel workbook (.xls) or another Office 97-2003 file")),
    (b"%PDF", N_("a PDF document")),
    (b"\x1f\x8b", N_("a gzip archive")),
    (b"\x89PNG", N_("a PNG image")),
    (b"\xff\xd8\xff", N_("a JPEG image")),
)
# What a zip archive holds, by a name inside it: (name, what the file is).
XLSX_KIND = N_("an Excel workbook (.xlsx)")
_ZIP = (
    (b"xl/", XLSX_KIND),
    (b"application/vnd.oasis.opendocument.spreadsheet", N_("an OpenDocument spreadsheet (.ods)")),
    (b"word/", N_("a Word document (.docx)")),
    (b"application/vnd.oasis.opendocument.text", N_("an OpenDocument text (.odt)")),
)
_YAML_LINE = re.compile(r"\s*(---|[A-Za-z_][\w-]*\s*:(\s|$)|-\s+\S)")


def empty_file(source: str) -> str:
    return _("{source}: the file is empty; a case file is a JSON object, {example} (see the "
             "bundled cases/ for examples)").format(source=source, example=EXAMPLE)


def binary_kind(data: bytes) -> str | None:
    """What a file is when it is a known binary format (None: it may be text)."""
    if data.startswith(b"PK\x03\x04"):
        for marker, kind in _ZIP:
            if marker in data:
                return kind
        return N_("a zip archive")
    for magic, kind in _BINARY:
        if data.startswith(magic):
            return kind
    return None


def binary_file(source: str, kind: str) -> str:
    return _("{source}: this is {kind}, not a JSON case file; write or export the case as JSON "
             "text, {example} (see the bundled cases/ for examples)").format(
        source=source, kind=_(kind), example=EXAMPLE)


def not_utf8(source: str, data: bytes, start: int) -> str:
    """The first byte that is not UTF-8: where it is, and "save it as UTF-8"."""
    line, column = position(data, start)
    byte = data[start]
    guess = ""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:  # one character per byte
        if text[start].isprintable():
            guess = " " + _("({char} in Latin-1 or Windows-1252: the file was saved in that "
                            "encoding)").format(char=repr(text[start]))
    return _("{source}: not UTF-8 text: the byte 0x{byte} at line {line}, column {column} is "
             "not UTF-8{guess}; save the file as UTF-8").format(
        source=source, byte=f"{byte:02X}", line=line, column=column, guess=guess)


def position(data: bytes, start: int) -> tuple[int, int]:
    """(line, column) of a byte offset, both from 1, the column in characters."""
    line_start = data.rfind(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, start) + 1, column


def not_json(source: str, exc: json.JSONDecodeError) -> str:
    """A JSON syntax error in words, with a fix for the mistakes people make by hand."""
    doc, pos = exc.doc, exc.pos
    where = _("at line {line}, column {column}").format(line=exc.lineno, column=exc.colno)
    here = doc[pos:pos + 1]
    before = doc[:pos].rstrip()
    last = before[-1:]
    if pos == 0 or not doc[:pos].strip():
        first = next((line for line in doc.splitlines() if line.strip()), "")
        if _YAML_LINE.match(first):
            return _("{source}: this looks like YAML, not JSON; a case file is JSON, {example} "
                     "(keys and strings in double quotes, objects in braces)").format(
                source=source, example=EXAMPLE)
        if first.lstrip().startswith(("//", "#", "/*")):
            return _("{source}: not valid JSON {where}: JSON has no comments; put remarks in a "
                     "\"notes\" field").format(source=source, where=where)
    if last == "," and here.isdigit() and before[-2:-1].isdigit():
        whole = re.search(r"-?\d*$", before[:-1])
        number = f"{whole.group()},{re.match(r'[0-9]*', doc[pos:]).group()}"  # type: ignore[union-attr]
        line, column = _line_column(doc, whole.start())  # type: ignore[union-attr]
        return _("{source}: not valid JSON at line {line}, column {column}: {number} has a "
                 "decimal comma; JSON numbers take a decimal point ({fixed})").format(
            source=source, line=line, column=column, number=number,
            fixed=number.replace(",", "."))
    if last == "," and here in ("}", "]"):
        line, column = _line_column(doc, len(before) - 1)
        return _("{source}: not valid JSON at line {line}, column {column}: a comma after the "
                 "last item (before '{here}'); remove it").format(
            source=source, line=line, column=column, here=here)
    if here == "'":
        return _("{source}: not valid JSON {where}: JSON keys and strings take double quotes "
                 "(\"), not single quotes").format(source=source, where=where)
    return _("{source}: not valid JSON: {problem} {where}").format(source=source, problem=exc.msg,
                                                                   where=where)


def _line_column(doc: str, pos: int) -> tuple[int, int]:
    line_start = doc.rfind("\n", 0, pos) + 1
    return doc.count("\n", 0, pos) + 1, pos - line_start + 1


__all__ = ["EXAMPLE", "XLSX_KIND", "binary_file", "binary_kind", "empty_file", "not_json", "not_utf8",
           "position"]
