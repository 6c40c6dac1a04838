"""Assumption values are read through one accessor (issue 10): ``rulebook.setting``.

Its default is the one the rulebook declares, an unknown name is refused, and no module in
sim/, projections/ or bench/ reads ``settings`` any other way (so no default is repeated as
a literal).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from projections.logs.model import context, context_for
from projections.rulebook import (
    UnknownSetting,
    all_assumptions,
    declare_assumptions,
    find_assumption,
    setting,
)
from projections.world import World
from sim import params
from sim.params import settings_scope
from sim.services.registry import CallContext, Draws

ROOT = Path(__file__).resolve().parent.parent
#: The one module allowed to read a settings mapping directly: the accessor's own.
ACCESSOR = ROOT / "projections" / "rulebook" / "registry.py"
QR_ARN = "arn:aws:logs:us-east-1:111122223333:query-result:*"


def _context(world: World) -> CallContext:
    return CallContext(world=world, t=0, actor="alice", account="111122223333",
                       region="us-east-1", draws=Draws(0, 1), seq=1)


@pytest.fixture
def other_default() -> Iterator[None]:
    """Declare A-LOGS-QUERY-CONTEXT with its alternative as the default, for one test."""
    original = find_assumption("logs_query_context")
    assert original is not None and original.default == "query-result-arn"
    declare_assumptions(dataclasses.replace(original, default="none"))
    try:
        yield
    finally:
        declare_assumptions(original)


def test_unknown_name_raises_naming_it_and_close_ones() -> None:
    with pytest.raises(UnknownSetting) as exc:
        setting({}, "propagaton")
    assert "'propagaton'" in str(exc.value) and "propagation" in str(exc.value)
    assert isinstance(exc.value, KeyError)
    # a value present under an unknown name is still refused: the name is checked first
    with pytest.raises(UnknownSetting):
        setting({"no_such_thing": "x"}, "no_such_thing")
    with pytest.raises(UnknownSetting, match="propagaton"):
        World(settings={}).setting("propagaton")
    with pytest.raises(UnknownSetting, match="propagaton"):
        _context(World()).setting("propagaton")


def test_value_in_force_wins_over_the_default() -> None:
    world = World(settings={"propagation": "instant"})
    assert world.setting("propagation") == "instant"
    assert _context(world).setting("propagation") == "instant"


def test_every_default_comes_from_the_rulebook() -> None:
    world = World(settings={})
    for a in all_assumptions():
        assert setting({}, a.name) == a.default
        assert world.setting(a.name) == a.default
        assert _context(world).setting(a.name) == a.default


def test_a_changed_default_is_what_folds_and_handlers_read(other_default: None) -> None:
    # only the rulebook's declaration changed: the world without the setting follows it
    world = World(settings={})
    assert world.setting("logs_query_context") == "none"
    assert _context(world).setting("logs_query_context") == "none"
    assert context_for(world, QR_ARN) == {}


def test_the_default_behaviour_without_the_setting() -> None:
    assert context_for(World(settings={}), QR_ARN) == context(QR_ARN) != {}


def test_settings_scope_reads_a_missing_form_as_the_default() -> None:
    form = find_assumption("validation_form")
    assert form is not None
    with settings_scope({}):
        assert params._FORM.get() == form.default


def _settings_reads(source: str, filename: str = "<src>") -> list[int]:
    """Line numbers where ``source`` reads a settings mapping other than through
    ``setting(...)``: ``x.settings.get(...)``, ``settings.get(...)``, ``x.settings[...]``."""
    def is_settings(node: ast.AST) -> bool:
        name = node.attr if isinstance(node, ast.Attribute) else \
            node.id if isinstance(node, ast.Name) else ""
        return name == "settings"

    def is_read(node: ast.AST) -> bool:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return node.func.attr in ("get", "setdefault") and is_settings(node.func.value)
        if isinstance(node, ast.Subscript):
            return isinstance(node.ctx, ast.Load) and is_settings(node.value)
        return False

    return sorted(node.lineno for node in ast.walk(ast.parse(source, filename)) if is_read(node))


def test_the_scan_finds_the_forms_it_forbids() -> None:
    src = ('a = world.settings.get("propagation", "uncertain")\n'
           'b = settings.get("x")\n'
           'c = ctx.world.settings["x"]\n'
           'd = setting(world.settings, "x")\n')
    assert _settings_reads(src) == [1, 2, 3]


def _sources() -> list[Path]:
    return [p for d in ("sim", "projections", "bench") for p in sorted((ROOT / d).rglob("*.py"))]


def test_no_module_reads_settings_but_the_accessor() -> None:
    found = [f"{p.relative_to(ROOT)}:{line}" for p in _sources() if p != ACCESSOR
             for line in _settings_reads(p.read_text(encoding="utf-8"), str(p))]
    assert found == [], "read settings through rulebook.setting(...): " + ", ".join(found)


def test_every_literal_setting_name_is_an_assumption() -> None:
    # x.setting("name") and setting(mapping, "name") with a literal: a typo fails here, at
    # test time, instead of at the first call that reaches it
    names: set[str] = set()
    for p in _sources():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"), str(p))):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            args = [a.value for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            method = isinstance(f, ast.Attribute) and f.attr == "setting" and len(node.args) == 1
            function = isinstance(f, ast.Name) and f.id == "setting" and len(node.args) == 2
            if method or function:
                names.update(args)
    known = {a.name for a in all_assumptions()}
    assert len(names) > 20  # the scan sees the handlers' and folds' reads
    assert names - known == set()
