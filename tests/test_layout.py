"""The shape of the tree: no import cycles, no function-local imports that dodge one, no
file much over 400 lines, and every area named the same way in every layer (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "projections", "sim")
AREAS = ("kms", "dataset", "logs", "simops")
#: Function-local project imports that are there on purpose, with why.
LOCAL_IMPORTS_ALLOWED = {
    # botocore's models load only when a scenario step is checked (start-up time of
    # every verb), not to break a cycle.
    ("sim.scenario.args", "sim.server.shapes"),
    # A log's readers (kmsim at LOG) need neither the runner nor the services it imports:
    # start-up time of the time-travel verbs, not a cycle.
    ("sim.loading", "sim.runner"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> tuple[dict[str, set[str]], set[tuple[str, str]]]:
    """Module -> the project modules it imports (anywhere), and the function-local ones."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    local: set[tuple[str, str]] = set()
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function = {id(n) for f in ast.walk(tree)
                       if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                       for n in ast.walk(f)}
        typing_only = {id(n) for f in ast.walk(tree)
                       if isinstance(f, ast.If) and "TYPE_CHECKING" in ast.unparse(f.test)
                       for b in f.body for n in ast.walk(b)}
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue  # annotations only: nothing is imported at run time
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for target in targets:
                hit = _resolve(target)
                if hit is None or hit == name:
                    continue
                edges[name].add(hit)
                if id(node) in in_function:
                    local.add((name, hit))
    return edges, local


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if any (a depth-first search with colours)."""
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        colour[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if colour.get(n) == 1:
                return [*stack[stack.index(n):], n]
            if n not in colour and (found := visit(n)):
                return found
        stack.pop()
        colour[m] = 2
        return None

    for m in sorted(edges):
        if m not in colour and (found := visit(m)):
            return found
    return None


def test_no_import_cycles() -> None:
    edges, _ = _graph()
    assert _cycle(edges) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_function_local_imports_are_only_the_justified_ones() -> None:
    _, local = _graph()
    assert local <= LOCAL_IMPORTS_ALLOWED, sorted(local - LOCAL_IMPORTS_ALLOWED)


def test_no_module_is_much_over_400_lines() -> None:
    long = {name: n for name, path in MODULES.items()
            if (n := path.read_text(encoding="utf-8").count("\n")) > 420}
    assert long == {}


def test_every_area_has_the_same_name_in_every_layer() -> None:
    for area in AREAS:
        assert (ROOT / "projections" / area / "__init__.py").is_file(), area
        assert (ROOT / "sim" / "services" / area / "__init__.py").is_file(), area
        assert (ROOT / "projections" / "rulebook" / f"{area}.py").is_file(), area


def test_the_world_imports_no_area() -> None:
    edges, _ = _graph()
    areas = {m for m in MODULES for a in AREAS if m.startswith(f"projections.{a}")}
    assert edges["projections.world"] & areas == set()
