"""Broken and extreme case files for the fuzz tests (Hypothesis strategies).

Two kinds of input, both as the bytes a user could hand to `optimize`:

- `broken_case_bytes()`: a valid case (the bundled AURA case, the contract
  vectors, seeded `random_case`s) with one to four structural mutations (wrong
  types, missing or unknown fields, huge, tiny, NaN and infinite numbers, empty
  lists, duplicate items and ids, odd strings with spaces, quotes, unicode and
  LP-format characters, deep nesting, very long strings), then now and then a
  mutation of the text itself (truncation, a stray byte, a duplicate key, a
  comment, a trailing comma, bytes that are not UTF-8).
- `extreme_case_bytes()`: a valid case whose values are pushed to the edges of
  what validation allows (amounts of 0 or 1e12, fractions of 0 or 1, odd
  labels and names, disabled levers, extreme targets), to go on to a solve.

`problems_name_paths(problems, raw)` checks what the fuzz tests require of a
refusal: every problem starts with a JSON path that exists in the input (or
names a missing field of an object that exists), then says what is wrong.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from optimizer.case import path_part

from .random_cases import random_case

ROOT = Path(__file__).resolve().parent.parent


def _bases() -> list[dict[str, Any]]:
    cases = [json.loads((ROOT / "cases" / "aura-average-2020.json").read_text())]
    for path in sorted((ROOT / "tests" / "data" / "contract").glob("v*.json")):
        cases.append(json.loads(path.read_text())["case"])
    rng = random.Random(20240605)
    cases += [random_case(rng) for _ in range(12)]
    return cases


BASES: list[dict[str, Any]] = _bases()

# Strings a hand-edited file or a script may put anywhere: spaces, quotes,
# unicode, LP-format syntax, JSON-looking text, ids that are almost right.
ODD_STRINGS = [
    "", " ", "fees up (2025)*", 'say "hi"', "back\\slash", "l'été", "日本語", "emoji 🚀",
    "\u0000", "\ud800", "tab\there", "new\nline", "a b", " fees", "fees ", "FEES", "Fees",
    "x" * 41, "x" * 40, "-", "_", "0", "<=", ">= 3", "R1: x + y >= 3", "c1", "x_1", "l0_eur_0",
    "subject to", "end", "bounds", "binary", "obj:", "*", "+", "/", "[0]", "levers[0]",
    "revenue:fees", "revenue:", "lever:", ":", "private", "NaN", "Infinity", "null", "true",
    "1e5", "-0", "\u202etxet", "\ufeffid", "a.b", "a[0]", "%s%n", "{}", "[]",
]
LONG_STRINGS = ["y" * 201, "z" * 501, "w" * 100_000]
ODD_NUMBERS = [
    0, -0.0, 1, -1, 0.5, 1.5, 2, 1e12, 1e12 + 1, -1e12, -1e12 - 1, 1e13, 1e15, 1e300, -1e300,
    1e308, 1e-9, 1e-12, 1e-300, 5e-324, 2**31, 2**53 + 1, 2**63, -(2**63), 10**30, 10**400,
    1_000_000, 1_000_001, 0.1 + 0.2, 999999.9999999999,
]
# Placeholders replaced in the JSON text (json.dumps cannot write them).
DEEP = "\u0001DEEP:"
BIGINT = "\u0001BIGINT:"


def _deep(depth: int) -> str:
    return f"{DEEP}{depth}\u0001"


nasty_values = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(ODD_NUMBERS),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(ODD_STRINGS + LONG_STRINGS),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3)), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(-3, 3), max_size=3),
    st.sampled_from([10, 500, 3000, 200_000]).map(_deep),
    st.sampled_from([400, 4400, 10_000]).map(lambda n: f"{BIGINT}{n}\u0001"),
    st.builds(list),
    st.builds(dict),
)


def _all_paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _all_paths(value, prefix + (key,))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _all_paths(value, prefix + (i,))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _typo(key: str, draw: Any) -> str:
    kind = draw(st.integers(0, 4))
    if not key:
        return "x"
    if kind == 0:
        return key[:-1]
    if kind == 1:
        return key.upper()
    if kind == 2:
        return key + " "
    if kind == 3:
        return key.replace("_", "-") if "_" in key else key + "s"
    return key[::-1]


def _mutate(draw: Any, doc: Any) -> Any:
    """One structural mutation somewhere in doc (returns the new document)."""
    paths = _all_paths(doc)
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["set", "set", "set", "delete", "add", "dup", "empty", "typo",
                               "wrap", "scale", "swap", "stringify"]))
    if not path:
        if op in ("set", "wrap"):
            return draw(nasty_values) if op == "set" else [doc]
        path = (draw(st.sampled_from(list(doc))),) if isinstance(doc, dict) and doc else path
        if not path:
            return doc
    parent = _get(doc, path[:-1])
    key = path[-1]
    node = parent[key]
    if op == "set":
        parent[key] = draw(nasty_values)
    elif op == "delete":
        del parent[key]
    elif op == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(["extra", "Id", "typ", "amount ", "levers", "é", ""]))] = \
            draw(nasty_values)
    elif op == "add" and isinstance(node, list):
        node.append(draw(nasty_values))
    elif op == "dup" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(node))  # a duplicate item, so a duplicate id
    elif op == "empty" and isinstance(node, (dict, list)):
        node.clear()
    elif op == "typo" and isinstance(parent, dict) and isinstance(key, str):
        value = parent.pop(key)
        parent[_typo(key, draw)] = value
    elif op == "wrap":
        parent[key] = draw(st.sampled_from([[node], {"value": node}, [[[node]]]]))
    elif op == "scale" and isinstance(node, (int, float)) and not isinstance(node, bool):
        factor = draw(st.sampled_from([-1, 1e-300, 1e-9, 1e6, 1e9, 1e12, 1e300]))
        try:
            parent[key] = node * factor
        except OverflowError:  # a 400-digit whole number times a float
            parent[key] = -node if factor < 0 else node * 10**12
    elif op == "swap" and isinstance(parent, list) and len(parent) > 1:
        other = draw(st.integers(0, len(parent) - 1))
        parent[key], parent[other] = parent[other], parent[key]
    elif op == "stringify" and not isinstance(node, str):
        parent[key] = json.dumps(node)
    else:
        parent[key] = draw(nasty_values)
    return doc


def dumps(doc: Any) -> str:
    """JSON text, with NaN/Infinity tokens and the deep-nesting and huge-int placeholders."""
    text = json.dumps(doc, allow_nan=True, ensure_ascii=False)
    text = re.sub(r'"\\u0001DEEP:(\d+)\\u0001"',
                  lambda m: "[" * int(m.group(1)) + "]" * int(m.group(1)), text)
    return re.sub(r'"\\u0001BIGINT:(\d+)\\u0001"', lambda m: "9" * int(m.group(1)), text)


_UTF8 = ("utf-8", "surrogatepass")  # lone surrogates are written as is


def _text_mutate(draw: Any, text: str) -> bytes:
    op = draw(st.sampled_from(["truncate", "insert", "dupkey", "bom", "latin1", "garbage",
                               "comment", "comma", "nan", "crlf", "nul"]))
    pos = draw(st.integers(0, max(0, len(text) - 1)))
    if op == "truncate":
        return text[:pos].encode(*_UTF8)
    if op == "insert":
        char = draw(st.sampled_from(list('{}[]",:\\\'\x00\x7f') + ["\u00e9", "\ud800", "𝕏"]))
        return (text[:pos] + char + text[pos:]).encode(*_UTF8)
    if op == "dupkey":
        key = draw(st.sampled_from(["name", "levers", "target", "members", "revenues"]))
        return text.replace("{", '{"' + key + '": 1, ', 1).encode(*_UTF8)
    if op == "bom":
        return b"\xef\xbb\xbf" + text.encode(*_UTF8)
    if op == "latin1":
        return text.encode(*_UTF8).replace(b"e", b"\xe9", 1)
    if op == "garbage":
        return text.encode(*_UTF8) + draw(st.sampled_from([b"x", b"}", b"\n{}", b"\x00", b" 1"]))
    if op == "comment":
        return text.replace(",", ", // a comment\n", 1).encode(*_UTF8)
    if op == "comma":
        return text.replace("]", ",]", 1).encode(*_UTF8)
    if op == "nan":
        token = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999",
                                      "1e-999", "01", "+1", ".5", "0x10"]))
        return re.sub(r"(?<=: )-?\d+(\.\d+)?([eE][-+]?\d+)?", token, text, count=1).encode(*_UTF8)
    if op == "crlf":
        return text.replace("\n", "\r\n").encode(*_UTF8)
    return text.replace(":", ":\x00", 1).encode(*_UTF8)


@st.composite
def broken_case_bytes(draw: Any) -> bytes:
    """A case file broken in one to four places (see the module docstring)."""
    doc: Any = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 4))):
        doc = _mutate(draw, doc)
    text = dumps(doc)
    if draw(st.integers(0, 5)) == 0:
        return _text_mutate(draw, text)
    return text.encode("utf-8", "surrogatepass")


# Values that validation accepts, at its edges.
_EXTREME = {
    "amount": [0, 1, 1e12, 0.01, 1e-9, 123456789.123],
    "price": [1e-9, 0.01, 1e6, 1e9],
    "fraction": [0.0, 1.0, 1e-9, 0.999999, 0.5],
    "label": ODD_STRINGS[:40] + ["x" * 200],
    "count": [0, 1, 1_000_000],
}


@st.composite
def extreme_case_bytes(draw: Any) -> bytes:
    """A valid-looking case pushed to the edges of the allowed values."""
    doc: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(BASES)))
    doc["name"] = draw(st.sampled_from(ODD_STRINGS[1:] + ["n" * 500]))
    for _ in range(draw(st.integers(1, 5))):
        where = draw(st.sampled_from(["revenue", "expenditure", "lever", "target", "members",
                                      "label", "disable", "downside"]))
        if where in ("revenue", "expenditure"):
            lines = doc["revenues" if where == "revenue" else "expenditures"]
            line = draw(st.sampled_from(lines))
            line["amount"] = draw(st.sampled_from(_EXTREME["amount"]))
        elif where == "label":
            items = doc["revenues"] + doc["expenditures"] + doc.get("levers", [])
            draw(st.sampled_from(items))["label"] = draw(st.sampled_from(_EXTREME["label"]))
        elif where == "members":
            doc["members"] = draw(st.sampled_from(_EXTREME["count"]))
        elif where == "target":
            doc["target"]["private_share"] = draw(st.sampled_from([1e-9, 0.01, 0.5, 0.99,
                                                                   0.999999]))
        elif doc.get("levers"):
            lever = draw(st.sampled_from(doc["levers"]))
            if where == "disable":
                lever["enabled"] = False
            elif where == "downside":
                lever["downside"] = draw(st.sampled_from(_EXTREME["fraction"]))
            else:
                numeric = [k for k, v in lever.items()
                           if isinstance(v, (int, float)) and not isinstance(v, bool)]
                if numeric:
                    key = draw(st.sampled_from(sorted(numeric)))
                    pool = (_EXTREME["fraction"] if "fraction" in key or "rate" in key
                            or key in ("downside", "cost_share", "step") else
                            _EXTREME["price"] if key in ("price", "grant", "fee", "volume")
                            else _EXTREME["amount"])
                    lever[key] = draw(st.sampled_from(pool))
    return dumps(doc).encode("utf-8", "surrogatepass")


# ------------------------------------------------------------------ message checks

_PROBLEM = re.compile(r"^(?P<path>.+?): (?P<what>\S.*)$", re.DOTALL)


def _resolves(node: Any, rest: str, first: bool = True) -> bool:
    """Does the path text `rest` lead somewhere in node? Keys are written as the
    optimiser writes them (`.key`, or `["odd key"]`), so this follows the input, not a
    re-parse of the text."""
    if rest == "":
        return True
    if isinstance(node, list):
        m = re.match(r"\[(\d+)\]", rest)
        return bool(m) and int(m.group(1)) < len(node) and _resolves(
            node[int(m.group(1))], rest[m.end():], first=False)
    if not isinstance(node, dict):
        return False
    for key in node:
        shown = path_part(key, first=first)
        if rest.startswith(shown) and _resolves(node[key], rest[len(shown):], first=False):
            return True
    # A missing required field (or a lever's type tag): a plain name under an object.
    return re.fullmatch(r"\.?[a-z_]+", rest) is not None and (first or rest.startswith("."))


def problem_names_path(problem: str, raw: Any) -> bool:
    """True when the problem reads 'PATH: what is wrong' and PATH exists in raw."""
    if "\n" in problem.strip() or "Traceback" in problem:
        return False
    for m in re.finditer(r": ", problem):
        path, what = problem[:m.start()], problem[m.end():]
        if not what.strip():
            continue
        if path == "case":
            return True
        if raw is not None and _resolves(raw, path):
            return True
    return False


__all__ = ["BASES", "broken_case_bytes", "dumps", "extreme_case_bytes", "problem_names_path"]
