"""The import graph of `optimizer/` and `cli/`, read with `ast` (nothing is imported), and
the layering rules of STYLE.md ("Layers and arrows") and issue 8 checked on it.

Run it as a script for a summary of a tree (default: this repository):

    python -m tests.layering [ROOT] [-v]

It prints the number of modules, the import cycles (strongly connected groups of more
than one module), the upward imports (layer violations), the private-name imports and a
count for every other rule; `-v` adds the chains of each cycle and every list. Exit code
0 when every rule holds, 1 when one is broken, 2 for a ROOT that is not a folder.

How the graph is read (the rules of Python's import system, made static):

- every `import` and `from ... import`, at module level, inside functions and methods,
  and under `if TYPE_CHECKING:`; `importlib.import_module("...")` and `__import__("...")`
  with a literal name too. Relative imports are resolved against the importing module.
- `import a.b.c` also imports the packages `a` and `a.b` (their `__init__.py`), except
  those the importing module sits in (they are already being imported when it runs).
- `from pkg import name` imports the submodule `pkg.name` when there is one; it reads
  `pkg/__init__.py` when `name` is not a submodule (even when `pkg` is the importer's
  own package: that is a real dependency on the package's `__init__`).
- the package root `optimizer/__init__.py` is the public facade: nothing inside
  `optimizer/` may import it (`import optimizer`, `from optimizer import X`, or a
  relative `from .. import X` that lands on it), so edges into it are left out of the
  cycle search and reported by `facade_imports` instead.

The layout, the layer ranks and the mapping of today's flat modules are the constants
below; GROUND is the set to extend when a new ground module is agreed.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("optimizer", "cli")
FACADE = "optimizer"

# The ground layer: top-level modules of optimizer/ that import nothing from optimizer
# but each other. Add a name here when a new ground module is agreed.
GROUND = frozenset({"_version", "base", "errors", "fmt", "i18n", "status"})

# A module imports modules of a lower rank or of its own layer only. Equal ranks in
# different folders never import each other (model/solvers, report/analyses).
RANK: Mapping[str, int] = {
    "ground": 0,
    "levers": 1,
    "case": 2,
    "plan": 3,
    "model": 4,
    "solvers": 4,
    "results": 5,
    "report": 6,
    "analyses": 6,
    "facade": 7,  # optimizer/__init__.py: may import anything inside optimizer/
    "cli": 8,  # cli/: may import anything
}
LAYER_FOLDERS = frozenset(RANK) - {"ground", "facade", "cli"}
# Pairs named in the rules, for a message that says which rule an import breaks.
NEVER: Mapping[tuple[str, str], str] = {
    ("model", "solvers"): "model/ and solvers/ never import each other",
    ("solvers", "model"): "model/ and solvers/ never import each other",
    ("report", "analyses"): "report/ and analyses/ never import each other",
    ("analyses", "report"): "report/ and analyses/ never import each other",
    ("results", "analyses"): "results/ never imports analyses/",
    ("results", "report"): "results/ never imports report/",
}

# Today's flat modules (before issue 8's move) mapped to the layer they are going to:
# their rank while they exist (after the move none is left). distributions.py holds the
# uncertainty fields of case files and their checks (and the factor arithmetic): case.
FLAT_LAYERS: Mapping[str, str] = {
    "_version": "ground",
    "base": "ground",
    "errors": "ground",
    "fmt": "ground",
    "levers": "levers",
    "case": "case",
    "distributions": "case",
    "numerics": "model",
    "model": "model",
    "solve": "solvers",
    "result": "results",
    "engine": "analyses",
    "optimize": "analyses",
    "cvar": "analyses",
    "uncertainty": "analyses",
    "sensitivity": "analyses",
    "report": "report",
    "report_sensitivity": "report",
    "report_uncertainty": "report",
    "plot_sensitivity": "report",
    "output": "report",
}

# Rule 4: these layers need no solver library and no model or solver code.
SOLVER_FREE = ("case", "levers")
SOLVER_LIBRARIES = ("pulp", "highspy")
SOLVER_CODE = ("model", "solvers")
# Rule 5: names of PuLP that pick or run a solver; only solvers/ uses them.
PULP_SOLVER_NAMES = frozenset({
    "apis", "COIN", "COIN_CMD", "CPLEX_CMD", "GLPK_CMD", "GUROBI", "GUROBI_CMD", "HiGHS",
    "HiGHS_CMD", "LpSolver", "LpSolver_CMD", "LpSolverDefault", "PULP_CBC_CMD", "SCIP_CMD",
    "getSolver", "getSolverFromDict", "getSolverFromJson", "listSolvers", "*",
})
# Rule 5, the `.solve(` heuristic: a PuLP problem is solved by `<problem>.solve(...)`
# (also `sequentialSolve`, `resolve`), a solver object by `actualSolve`/`actualResolve`.
# A receiver counts as a PuLP problem when its last name is `LpProblem` (a class call
# `pulp.LpProblem(...).solve()` or `LpProblem.solve(p)`), was assigned from an
# `LpProblem(...)` call or annotated `LpProblem` in the same file, or looks like one by
# name (LP_PROBLEM_NAME: prob, problem, lp, milp, mip, *_prob, *_problem, *_lp).
# `engine.solve(...)`, `self.solve(...)` or `solvers.solve(model.prob)` do not count.
PROBLEM_METHODS = frozenset({"solve", "sequentialSolve", "resolve"})
SOLVER_METHODS = frozenset({"actualSolve", "actualResolve"})
LP_PROBLEM_NAME = re.compile(r"^(prob|problem|lp|lp_?problem|milp|mip|\w+_prob|\w+_problem|\w+_lp)$",
                             re.IGNORECASE)
# Rule 7.
NO_PANDAS_AT_IMPORT = ("case", "levers", "plan", "model", "solvers")
NEVER_IMPORTED = ("scipy",)
PLOTTING = ("matplotlib",)
PLOTTING_LAYERS = ("report",)


# ---------------------------------------------------------------------------- records

@dataclass(frozen=True)
class Module:
    name: str
    path: Path | None  # None: a folder without __init__.py (a namespace package)
    is_package: bool
    rel: str  # the file (or folder) relative to the root, for messages


@dataclass(frozen=True)
class Import:
    """One module imported by one statement (a statement gives one record per module)."""

    importer: str
    rel: str
    line: int
    text: str  # the statement, as written (one line)
    target: str  # dotted module name (project or third-party)
    project: bool
    implicit: bool = False  # a parent package pulled in by the import system
    deferred: bool = False  # inside a function or method
    type_only: bool = False  # under `if TYPE_CHECKING:`
    names: tuple[str, ...] = ()  # `from target import names` (project: non-submodules)

    @property
    def runtime(self) -> bool:
        """Run when the importing module is imported."""
        return not self.deferred and not self.type_only

    @property
    def top(self) -> str:
        return self.target.split(".")[0]

    def where(self) -> str:
        tags = [t for t, on in (("in a function", self.deferred),
                                ("TYPE_CHECKING", self.type_only)) if on]
        return f"{self.rel}:{self.line}: `{self.text}`" + (f" [{', '.join(tags)}]" if tags else "")


@dataclass(frozen=True)
class Violation:
    rule: str
    module: str
    rel: str
    line: int
    text: str
    why: str

    def __str__(self) -> str:
        if not self.line:  # a whole module
            return f"{self.rel}: {self.module} {self.why}"
        return f"{self.rel}:{self.line}: {self.module}: `{self.text}` - {self.why}"


@dataclass(frozen=True)
class Cycle:
    """A strongly connected group of modules, with a shortest cycle through each member."""

    members: tuple[str, ...]
    chains: tuple[tuple[Import, ...], ...]

    def __str__(self) -> str:
        lines = [f"{len(self.members)} modules in a cycle: {', '.join(self.members)}"]
        for chain in self.chains:
            lines.append("  " + " -> ".join([chain[0].importer] + [e.target for e in chain]))
            lines.extend(f"      {e.where()}" for e in chain)
        return "\n".join(lines)


def _one_line(node: ast.AST, limit: int = 90) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


# ---------------------------------------------------------------------------- reading

def _module_name(root: Path, path: Path) -> tuple[str, bool] | None:
    """The dotted name of a .py file under the root, and whether it is a package's
    __init__; None for a file Python cannot import by name."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    if "__pycache__" in parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts), is_package


def _files(root: Path, packages: Iterable[str]) -> list[Path]:
    return [path for package in packages if (root / package).is_dir()
            for path in sorted((root / package).rglob("*.py"))]


def discover(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Module]:
    """Every .py under the packages, plus the folders between them, by module name. As
    in Python, `x/__init__.py` wins over `x.py`, which wins over a folder `x/` without
    __init__.py (the files that lose are reported by `Project.unplaced`)."""
    modules: dict[str, Module] = {}
    for path in _files(root, packages):
        named = _module_name(root, path)
        if named is None:
            continue
        name, is_package = named
        known = modules.get(name)
        if known is not None and known.is_package and known.path is not None:
            continue
        modules[name] = Module(name, path, is_package, path.relative_to(root).as_posix())
        for parent in _parents(name):  # folders without __init__.py still exist
            if parent not in modules:
                folder = root.joinpath(*parent.split("."))
                init = folder / "__init__.py"
                modules[parent] = Module(parent, init if init.is_file() else None, True,
                                         (init if init.is_file() else folder)
                                         .relative_to(root).as_posix())
    return dict(sorted(modules.items()))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _chain(node: ast.expr) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None when the expression is not a chain of names."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return names[::-1]


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _last_name(node.func)
    return None


def _function_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> set[str]:
    """Names a function binds itself (parameters, assignments), not those it imports."""
    a = fn.args
    names = {x.arg for x in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg] if x}
    declared: set[str] = set()
    todo: list[ast.AST] = list(fn.body) if isinstance(fn.body, list) else [fn.body]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
        todo.extend(ast.iter_child_nodes(node))
    return names - declared


def _problem_names(tree: ast.AST) -> set[str]:
    """Names assigned from `LpProblem(...)` or annotated `LpProblem` anywhere in a file."""
    names: set[str] = set()

    def targets(node: ast.expr) -> Iterator[str]:
        if isinstance(node, (ast.Name, ast.Attribute)):
            yield _last_name(node) or ""
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                yield from targets(elt)

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and _last_name(node.value.func) == "LpProblem":
            for t in node.targets:
                names.update(targets(t))
        elif isinstance(node, ast.AnnAssign) and "LpProblem" in ast.unparse(node.annotation):
            names.update(targets(node.target))
        elif isinstance(node, ast.arg) and node.annotation is not None \
                and "LpProblem" in ast.unparse(node.annotation):
            names.add(node.arg)
    names.discard("")
    return names


class _Scanner(ast.NodeVisitor):
    """One file: its imports, and the uses the import records alone do not show."""

    def __init__(self, project: Project, module: Module, tree: ast.Module):
        self.project = project
        self.module = module
        self.imports: list[Import] = []
        self.unresolved: list[Violation] = []
        self.private: list[Violation] = []
        self.solver_uses: list[Violation] = []  # PuLP solver names and `.solve(` calls
        self.facade: list[Violation] = []
        self._depth = 0  # functions we are in
        self._type_only = 0  # `if TYPE_CHECKING:` blocks we are in
        self._in_class = False  # directly in a class body: its names are attributes
        self._scopes: list[dict[str, str | None]] = [{}]  # name -> module it is bound to
        self._problems = _problem_names(tree)
        self._package = module.name if module.is_package else module.name.rpartition(".")[0]
        self.visit(tree)

    # -- helpers
    def _violation(self, rule: str, node: ast.AST, why: str, text: str | None = None) -> Violation:
        return Violation(rule, self.module.name, self.module.rel, getattr(node, "lineno", 0),
                         text if text is not None else _one_line(node), why)

    def _is_module(self, name: str) -> bool:
        return name in self.project.modules

    def _project_name(self, name: str) -> bool:
        return name.split(".")[0] in self.project.packages

    def _bind(self, name: str, target: str | None) -> None:
        self._scopes[-1][name] = target

    def _lookup(self, name: str) -> str | None:
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        return None

    def _record(self, node: ast.AST, target: str, *, implicit: bool = False,
                names: tuple[str, ...] = (), text: str | None = None) -> None:
        project = self._project_name(target)
        self.imports.append(Import(
            self.module.name, self.module.rel, getattr(node, "lineno", 0),
            text if text is not None else _one_line(node), target, project, implicit,
            self._depth > 0, self._type_only > 0, names))

    def _check_private_module(self, node: ast.AST, target: str, text: str | None = None) -> None:
        """`pkg._mod` is private to `pkg`: importing it from outside `pkg` crosses a line."""
        parts = target.split(".")
        for i in range(1, len(parts)):
            if _private(parts[i]):
                package = ".".join(parts[:i])
                if not _inside(self.module.name, package):
                    self.private.append(self._violation(
                        "private", node, f"{target} is private to {package}", text))
                return

    def _import_project_module(self, node: ast.AST, target: str, text: str | None = None) -> None:
        """`import target` (or a submodule reached by `from pkg import sub`)."""
        if not self._is_module(target):
            self.unresolved.append(self._violation(
                "unresolved", node, f"no module {target} under the root", text))
            return
        for parent in _parents(target):
            if not _inside(self.module.name, parent):
                self._record(node, parent, implicit=True, text=text)
        if target != self.module.name:
            self._record(node, target, text=text)
        self._check_private_module(node, target, text)

    def _resolve_relative(self, node: ast.ImportFrom) -> str | None:
        parts = self._package.split(".") if self._package else []
        up = node.level - 1
        if up >= len(parts):
            return None
        base = parts[: len(parts) - up]
        return ".".join(base + (node.module.split(".") if node.module else []))

    # -- scopes and contexts
    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.visit(node.test)
        self._type_only += 1
        for stmt in node.body:
            self.visit(stmt)
        self._type_only -= 1
        for stmt in node.orelse:
            self.visit(stmt)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        # Decorators, defaults and annotations run in the enclosing scope.
        for expr in getattr(node, "decorator_list", []):
            self.visit(expr)
        self.visit(node.args)
        returns = getattr(node, "returns", None)
        if returns is not None:
            self.visit(returns)
        if not isinstance(node, ast.Lambda) and not self._in_class:
            self._bind(node.name, None)
        self._scopes.append(dict.fromkeys(_function_locals(node)))
        self._depth += 1
        in_class, self._in_class = self._in_class, False
        for stmt in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(stmt)
        self._in_class = in_class
        self._depth -= 1
        self._scopes.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function
    visit_Lambda = _visit_function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        if not self._in_class:
            self._bind(node.name, None)
        in_class, self._in_class = self._in_class, True
        for stmt in node.body:
            self.visit(stmt)
        self._in_class = in_class

    def visit_arguments(self, node: ast.arguments) -> None:
        for default in [*node.defaults, *node.kw_defaults]:
            if default is not None:
                self.visit(default)
        for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    # -- imports
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.name
            if self._project_name(name):
                if name == FACADE and self.project.in_facade_scope(self.module.name):
                    self.facade.append(self._violation(
                        "facade", node, "imports the package root (the public facade); "
                        "import the module that defines the name instead"))
                self._import_project_module(node, name)
            else:
                self._record(node, name)
            self._bind(alias.asname or name.split(".")[0],
                       name if alias.asname else name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self._resolve_relative(node)
            if base is None:
                self.unresolved.append(self._violation(
                    "unresolved", node, "relative import goes above the top-level package"))
                return
        else:
            base = node.module or ""
        names = tuple(a.name for a in node.names)
        if not self._project_name(base):
            self._record(node, base, names=names)
            for alias in node.names:
                self._bind(alias.asname or alias.name, f"{base}.{alias.name}")
            return
        if base == FACADE and self.project.in_facade_scope(self.module.name):
            self.facade.append(self._violation(
                "facade", node, "imports from the package root (the public facade); "
                "import the module that defines the name instead"))
        if not self._is_module(base):
            self.unresolved.append(self._violation(
                "unresolved", node, f"no module {base} under the root"))
            return
        submodules = [n for n in names if self._is_module(f"{base}.{n}")]
        values = tuple(n for n in names if n not in submodules)
        for parent in _parents(base):
            if not _inside(self.module.name, parent):
                self._record(node, parent, implicit=True)
        own = _inside(self.module.name, base)  # base is the importer or a package it is in
        if base != self.module.name and (not own or values):
            self._record(node, base, names=values)
        self._check_private_module(node, base)
        for n in submodules:
            self._import_project_module(node, f"{base}.{n}")
        if base != self.module.name:
            for n in values:
                if _private(n):
                    self.private.append(self._violation(
                        "private", node, f"imports the private name {n} from {base}"))
        for alias in node.names:
            full = f"{base}.{alias.name}"
            self._bind(alias.asname or alias.name, full if self._is_module(full) else None)

    def visit_Call(self, node: ast.Call) -> None:
        func = _chain(node.func)
        dynamic = func is not None and (func == ["__import__"] or (
            func[-1] == "import_module"
            and (len(func) == 1 or self._lookup(func[0]) == "importlib" or func[0] == "importlib")))
        if dynamic and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            self._dynamic_import(node, node.args[0].value)
        if isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            name = _last_name(receiver)
            problem = name is not None and (
                name == "LpProblem" or name in self._problems
                or LP_PROBLEM_NAME.match(name) is not None)
            if method in SOLVER_METHODS or (method in PROBLEM_METHODS and problem):
                self.solver_uses.append(self._violation(
                    "solver", node, f"solves a PuLP problem (`.{method}(` on `{name}`)",
                    text=_one_line(node.func) + "(...)"))
        self.generic_visit(node)

    def _dynamic_import(self, node: ast.Call, name: str) -> None:
        if name.startswith("."):
            anchor = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "package"), None)
            if anchor is None or _last_name(anchor) not in {"__name__", "__package__", "parent"}:
                return
            level = len(name) - len(name.lstrip("."))
            fake = ast.ImportFrom(module=name.lstrip(".") or None, names=[], level=level)
            base = self._resolve_relative(fake)
            if base is None:
                return
            name = base
        text = _one_line(node)
        if self._project_name(name):
            if name == FACADE and self.project.in_facade_scope(self.module.name):
                self.facade.append(self._violation(
                    "facade", node, "imports the package root (the public facade)"))
            self._import_project_module(node, name, text)
        else:
            self._record(node, name, text=text)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain = _chain(node)
        if chain is None:
            self.generic_visit(node)
            return
        current = self._lookup(chain[0])
        for attr in chain[1:]:
            if current is None:
                return
            full = f"{current}.{attr}"
            if self._project_name(current):
                if self._is_module(full):
                    if _private(attr) and not _inside(self.module.name, current):
                        self.private.append(self._violation(
                            "private", node, f"{full} is private to {current}"))
                        return
                    current = full
                    continue
                if self._is_module(current) and current != self.module.name and _private(attr):
                    self.private.append(self._violation(
                        "private", node, f"uses the private name {attr} of {current}"))
                return
            if current.split(".")[0] == "pulp" and attr in PULP_SOLVER_NAMES:
                self.solver_uses.append(self._violation(
                    "solver", node, f"uses PuLP's solver entry point {attr}"))
                return
            current = full


class Project:
    """The modules under ROOT/optimizer and ROOT/cli and the imports between them."""

    def __init__(self, root: Path = ROOT, packages: Iterable[str] = PACKAGES,
                 flat_layers: Mapping[str, str] | None = None):
        self.root = Path(root)
        self.packages = tuple(packages)
        self.modules = discover(self.root, self.packages)
        # The flat mapping ranks today's flat modules; after the move none is left (one
        # left over is reported by `unplaced`).
        self.layered = any((self.root / FACADE / f).is_dir() for f in LAYER_FOLDERS)
        self.flat_layers: Mapping[str, str] = FLAT_LAYERS if flat_layers is None else flat_layers
        self.imports: list[Import] = []
        self.unresolved: list[Violation] = []
        self._private: list[Violation] = []
        self._solver_uses: list[Violation] = []
        self._facade: list[Violation] = []
        for module in self.modules.values():
            if module.path is None:
                continue
            try:
                tree = ast.parse(module.path.read_bytes(), filename=str(module.path))
            except SyntaxError as exc:
                self.unresolved.append(Violation("unresolved", module.name, module.rel,
                                                 exc.lineno or 0, "", f"cannot parse: {exc.msg}"))
                continue
            scan = _Scanner(self, module, tree)
            self.imports += scan.imports
            self.unresolved += scan.unresolved
            self._private += scan.private
            self._solver_uses += scan.solver_uses
            self._facade += scan.facade
        # The project graph: importer -> imported module -> the statements.
        self.graph: dict[str, dict[str, list[Import]]] = {m: {} for m in self.modules}
        for imp in self.imports:
            if imp.project and imp.target in self.modules and imp.target != imp.importer:
                self.graph[imp.importer].setdefault(imp.target, []).append(imp)

    # -- layers
    def layer(self, name: str) -> str | None:
        """The layer of a module; None when it sits in none (see `unplaced`)."""
        parts = name.split(".")
        if parts[0] != FACADE:
            return "cli" if parts[0] == "cli" else None
        if len(parts) == 1:
            return "facade"
        module = self.modules.get(name)
        if len(parts) > 2 or (module is not None and module.is_package):
            return parts[1] if parts[1] in LAYER_FOLDERS else None
        if parts[1] in GROUND:
            return "ground"
        return self.flat_layers.get(parts[1])

    def in_facade_scope(self, name: str) -> bool:
        """Modules that must not import the facade: all of optimizer/ but the root."""
        return name != FACADE and _inside(name, FACADE)

    def in_layers(self, layers: Iterable[str]) -> list[str]:
        wanted = set(layers)
        return [m for m in self.modules if self.layer(m) in wanted]

    def unplaced(self) -> list[Violation]:
        """Modules outside the target layout: in no layer folder, or a flat module of
        optimizer/ that is not in GROUND (the layout keeps only ground modules at the top)."""
        found = []
        for m in self.modules.values():
            parts = m.name.split(".")
            flat = parts[0] == FACADE and len(parts) == 2 and not m.is_package
            if self.layer(m.name) is None or (flat and parts[1] not in GROUND):
                found.append(Violation("unplaced", m.name, m.rel, 0, "", "is in no layer folder "
                                       "and not in GROUND (tests/layering.py)"))
        for path in _files(self.root, self.packages):  # files Python never imports
            named = _module_name(self.root, path)
            if named is None:
                continue
            rel, module = path.relative_to(self.root).as_posix(), self.modules[named[0]]
            if module.path != path:
                found.append(Violation("unplaced", module.name, rel, 0, "", f"is shadowed by "
                                       f"{module.rel}: Python imports that one, never this file"))
                continue
            files = [self.modules[p] for p in _parents(module.name) if not self.modules[p].is_package]
            if files:
                found.append(Violation("unplaced", module.name, rel, 0, "", f"cannot be imported: "
                                       f"{files[0].rel} is a module, not a package"))
        return sorted(found, key=_order)

    # -- rule 2
    def cycles(self) -> list[Cycle]:
        """Strongly connected groups of more than one module (edges into the facade left out)."""
        graph = {m: [t for t in targets if t != FACADE] for m, targets in self.graph.items()}
        groups = [g for g in _strongly_connected(graph) if len(g) > 1]
        cycles = []
        for group in sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g)):
            members = set(group)
            seen: set[tuple[str, ...]] = set()
            chains = []
            for start in group:
                path = _shortest_cycle(graph, start, members)
                rotated = min(tuple(path[i:] + path[:i]) for i in range(len(path)))
                if rotated in seen:
                    continue
                seen.add(rotated)
                hops = zip(path, path[1:] + path[:1], strict=True)
                chains.append(tuple(self.graph[a][b][0] for a, b in hops))
            cycles.append(Cycle(tuple(group), tuple(chains)))
        return cycles

    def facade_imports(self) -> list[Violation]:
        return sorted(set(self._facade), key=_order)

    # -- rule 3
    def layer_violations(self) -> list[Violation]:
        """Imports that point up, or sideways between two layers of one rank (one per
        statement and layer imported)."""
        found: dict[tuple[str, int, str], tuple[str, Violation]] = {}
        for imp in self.imports:
            if not imp.project or imp.implicit or imp.target not in self.modules:
                continue
            src, dst = self.layer(imp.importer), self.layer(imp.target)
            if src is None or dst is None or src == dst or dst == "facade":
                continue  # unplaced modules and facade imports have their own checks
            why = NEVER.get((src, dst))
            if why is None and RANK[dst] >= RANK[src]:
                why = (f"{src} (rank {RANK[src]}) imports {dst} (rank {RANK[dst]}): "
                       "imports point down only")
            key = (imp.rel, imp.line, dst)  # `from ..model import build`: one violation
            if why is not None and (key not in found or len(imp.target) > len(found[key][0])):
                found[key] = (imp.target, Violation(
                    "layers", imp.importer, imp.rel, imp.line, imp.text,
                    f"{imp.target} is in {dst}/: {why}"))
        return sorted((v for _, v in found.values()), key=_order)

    # -- rule 4
    def solver_reach(self) -> list[Violation]:
        """case/ and levers/ reaching a solver library or model/solvers code, by any import."""
        starts = self.in_layers(SOLVER_FREE)
        forbidden = set(self.in_layers(SOLVER_CODE))

        def offends(imp: Import) -> str | None:
            if not imp.project and imp.top in SOLVER_LIBRARIES:
                return f"imports {imp.target}"
            if imp.project and imp.target in forbidden:
                return f"imports {imp.target} ({self.layer(imp.target)}/)"
            return None

        return self._reach(starts, lambda _imp: True, offends, "solver-free",
                           "case/ and levers/ need no solver library and no model or solver code")

    # -- rule 5
    def solver_code_outside_solvers(self) -> list[Violation]:
        found = [v for v in self._solver_uses if self.layer(v.module) != "solvers"]
        for imp in self.imports:
            if imp.project or self.layer(imp.importer) == "solvers":
                continue
            why = None
            if imp.top == "highspy":
                why = "imports highspy"
            elif imp.target == "pulp.apis" or imp.target.startswith("pulp.apis."):
                why = "imports pulp.apis"
            elif imp.target == "pulp" and PULP_SOLVER_NAMES.intersection(imp.names):
                why = f"imports PuLP's solver names {sorted(PULP_SOLVER_NAMES & set(imp.names))}"
            if why:
                found.append(Violation("solver", imp.importer, imp.rel, imp.line, imp.text, why))
        return sorted({Violation("solver", v.module, v.rel, v.line, v.text,
                                 v.why + ": only solvers/ runs a solver") for v in found},
                      key=_order)

    # -- rule 6
    def private_imports(self) -> list[Violation]:
        return sorted(set(self._private), key=_order)

    # -- rule 7
    def heavy_imports(self) -> list[Violation]:
        """pandas at import time below results/, scipy anywhere, matplotlib outside report/."""
        found = self._reach(
            self.in_layers(NO_PANDAS_AT_IMPORT), lambda imp: imp.runtime,
            lambda imp: "imports pandas at import time" if (
                not imp.project and imp.top == "pandas" and imp.runtime) else None,
            "heavy", "pandas only where a DataFrame is made (inside the function), never when "
            f"{', '.join(f'{x}/' for x in NO_PANDAS_AT_IMPORT)} are imported", parents=True)
        for imp in self.imports:
            if imp.project:
                continue
            if imp.top in NEVER_IMPORTED:
                found.append(Violation("heavy", imp.importer, imp.rel, imp.line, imp.text,
                                       f"imports {imp.target}: never at run time"))
            elif imp.top in PLOTTING and self.layer(imp.importer) not in PLOTTING_LAYERS:
                found.append(Violation("heavy", imp.importer, imp.rel, imp.line, imp.text,
                                       f"imports {imp.target}: plotting lives in report/ only"))
        return sorted(set(found), key=_order)

    def _reach(self, starts: list[str], follow, offends, rule: str, why: str,
               parents: bool = False) -> list[Violation]:
        """Offending imports of every module the starts reach (by the edges `follow` keeps;
        with `parents`, the packages a module sits in too, as Python runs them first)."""
        via: dict[str, tuple[str | None, str]] = {s: (None, "") for s in starts}
        queue = deque(starts)
        while queue:
            here = queue.popleft()
            nexts = [(t, "") for t, imps in self.graph[here].items() if any(follow(i) for i in imps)]
            if parents:
                nexts += [(p, " (its package)") for p in _parents(here)]
            for target, how in nexts:
                if target not in via:
                    via[target] = (here, how)
                    queue.append(target)
        found: dict[tuple[str, int], tuple[str, Violation]] = {}
        for module in via:
            for imp in self.imports:
                if imp.importer != module or not follow(imp):
                    continue
                what = offends(imp)
                key = (imp.rel, imp.line)  # one per statement: its deepest module
                if what is None or (key in found and len(found[key][0]) >= len(imp.target)):
                    continue
                hops = [module]
                while via[hops[-1]][0] is not None:
                    hops.append(via[hops[-1]][0])  # type: ignore[arg-type]
                route = " -> ".join(h + via[h][1] for h in hops[::-1])
                route = f"{route} {what}" if len(hops) > 1 else what
                found[key] = (imp.target, Violation(rule, imp.importer, imp.rel, imp.line,
                                                    imp.text, f"{route}: {why}"))
        return sorted((v for _, v in found.values()), key=_order)

    def project_imports(self) -> list[Import]:
        return [i for i in self.imports if i.project and not i.implicit]


def _order(v: Violation) -> tuple[str, int, str, str]:
    return (v.rel, v.line, v.text, v.why)


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _shortest_cycle(graph: Mapping[str, list[str]], start: str, members: set[str]) -> list[str]:
    """The modules of a shortest cycle through `start`, in import order."""
    back: dict[str, str] = {}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for nxt in sorted(graph[here]):
            if nxt not in members:
                continue
            if nxt == start:
                path = [here]
                while path[-1] != start:
                    path.append(back[path[-1]])
                return path[::-1]
            if nxt not in back:
                back[nxt] = here
                queue.append(nxt)
    raise AssertionError(f"{start} is in a strongly connected group but on no cycle")


# ---------------------------------------------------------------------------- run time

_REPORT = ("\nimport json as _j, sys as _s\n"
           "_s.stderr.write('\\nLAYERING-MODULES ' + _j.dumps(sorted(_s.modules)) + '\\n')\n")


def _run_python(root: Path, code: str, timeout: float = 120) -> tuple[int, list[str], str]:
    """Run `code` (ending with _REPORT) in a fresh interpreter with `root` first on
    sys.path; its exit code, the modules it had loaded at _REPORT, and its stderr."""
    # `-c` puts the working directory (the root) first on sys.path, before PYTHONPATH and
    # the editable install; no .pyc files are left in tests/data.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", code], check=False, cwd=root, env=env,
                          capture_output=True, text=True, timeout=timeout)
    loaded: list[str] = []
    for line in proc.stderr.splitlines():
        if line.startswith("LAYERING-MODULES "):
            loaded = json.loads(line.split(" ", 1)[1])
    return proc.returncode, loaded, proc.stderr


def matching(names: Iterable[str], prefixes: Iterable[str]) -> list[str]:
    """The names equal to a prefix or inside it (`pulp` matches `pulp.apis`, not `pulpy`)."""
    prefixes = tuple(prefixes)
    return sorted(n for n in names if any(_inside(n, p) for p in prefixes))


def loaded_by_import(root: Path, modules: Iterable[str], prefixes: Iterable[str]) -> list[str]:
    """The modules matching `prefixes` that importing `modules` loads (in a subprocess)."""
    code = "".join(f"import {m}\n" for m in modules)
    status, loaded, err = _run_python(root, code + _REPORT)
    if status != 0:
        raise AssertionError(f"importing {', '.join(modules)} failed:\n{err[-3000:]}")
    return matching(loaded, prefixes)


def loaded_by_cli(root: Path, argv: list[str], prefixes: Iterable[str]) -> tuple[int, list[str], str]:
    """Run `cli.main:main` (the `optimize` entry point) on `argv` in a subprocess; its exit
    code, the modules matching `prefixes` it had loaded when it finished, and its stderr."""
    code = ("import sys\n"
            f"sys.argv = ['optimize', *{list(argv)!r}]\n"
            "from cli.main import main\n"
            "try:\n    main()\nexcept SystemExit as _exit:\n    _code = _exit.code\n"
            "else:\n    _code = 0\n"
            "sys.stdout.flush()\n")
    status, loaded, err = _run_python(root, code + _REPORT + "sys.exit(_code)\n")
    return status, matching(loaded, prefixes), err


# ---------------------------------------------------------------------------- script

def summary(project: Project, verbose: bool = False) -> tuple[str, bool]:
    """The summary the script prints, and whether every rule holds."""
    out: list[str] = []
    say = out.append
    ours = [m for m in project.modules.values() if m.path is not None]
    flat = [m for m in ours if len(m.name.split(".")) == 2 and m.name.startswith(FACADE + ".")
            and not m.is_package and m.name.split(".")[1] not in GROUND]
    folders = sorted(f for f in LAYER_FOLDERS if (project.root / FACADE / f).is_dir())
    say(f"layering of {project.root}: {len(folders)} layer folders, {len(flat)} flat modules "
        "outside GROUND (ranked by FLAT_LAYERS)")
    counts = {p: sum(1 for m in ours if m.name.split('.')[0] == p) for p in project.packages}
    say(f"modules: {len(ours)} ({', '.join(f'{p}/ {n}' for p, n in counts.items())})")
    direct = project.project_imports()
    hidden = [i for i in direct if not i.runtime]
    say(f"imports between project modules: {len(direct)} ({len(hidden)} inside functions or "
        "under TYPE_CHECKING)")
    cycles = project.cycles()
    say(f"import cycles: {len(cycles)}")
    for n, cycle in enumerate(cycles, 1):
        if verbose:
            say(f"  {n}. {cycle}".replace("\n", "\n     "))
        else:
            say(f"  {n}. {len(cycle.members)} modules: {', '.join(cycle.members)}")
    checks = [
        ("upward imports (layer violations)", project.layer_violations(), True),
        ("private-name imports", project.private_imports(), True),
        ("imports of the facade from inside optimizer/", project.facade_imports(), verbose),
        ("solver code outside solvers/", project.solver_code_outside_solvers(), verbose),
        ("solver libraries or model/solvers reached from case/ and levers/",
         project.solver_reach(), verbose),
        ("heavy imports (pandas at import time, scipy, matplotlib outside report/)",
         project.heavy_imports(), verbose),
        ("modules in no layer", project.unplaced(), True),
        ("unresolved project imports and unreadable files", project.unresolved, True),
    ]
    clean = not cycles
    for title, found, listed in checks:
        say(f"{title}: {len(found)}")
        clean = clean and not found
        if listed:
            out.extend(f"  {v}" for v in found)
    return "\n".join(out), clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.layering", description=(
        "Summary of the import graph and layering rules of optimizer/ and cli/."))
    parser.add_argument("root", nargs="?", type=Path, default=ROOT,
                        help="the repository root (default: this repository)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="the chains of every cycle and every violation")
    args = parser.parse_args(argv)
    if not (args.root / FACADE).is_dir():
        print(f"root: {args.root} has no {FACADE}/ folder", file=sys.stderr)
        return 2
    text, clean = summary(Project(args.root), args.verbose)
    print(text)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
