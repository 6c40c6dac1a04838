"""Every rule's quote stands verbatim in the source it cites (SPEC 3.5), for every area, and
every rule resting on an assumption names one that exists. A rule citing botocore's model
shapes quotes a fact of their structure (``logs.DisassociateKmsKey: no output``), checked
against the installed models."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from projections.rulebook import (
    BOTOCORE_MODELS,
    REFERENCE,
    SEED_000,
    SEED_001,
    SEED_002,
    SEED_003,
    SEED_004,
    SPEC,
    all_rules,
    find_assumption,
)
from projections.rulebook.registry import BOTOCORE_SHAPES

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SOURCES = {
    SEED_000: SHARED / "seeds" / "000_65f22c1f88d28a6c.txt",
    SEED_001: SHARED / "seeds" / "001_f8ceaed1b5b644ce.txt",
    SEED_002: SHARED / "seeds" / "002_2ee25a8ff261cf5a.txt",
    SEED_003: SHARED / "seeds" / "003_b85c8b35f6cdd522.txt",
    SEED_004: SHARED / "seeds" / "004_d896e29243c6726b.txt",
    REFERENCE: SHARED / "reference" / "api-reference-botocore-1.44.5.txt",
    SPEC: SHARED / "SPEC.md",
}


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip()


@functools.lru_cache(maxsize=1)
def _botocore_docs() -> str:
    """Every documentation string of botocore's kms, logs and cloudwatch models, tags removed."""
    from botocore.loaders import Loader

    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "documentation" and isinstance(v, str):
                    out.append(re.sub(r"<[^>]+>", "", v))
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for service in ("kms", "logs", "cloudwatch"):
        walk(Loader().load_service_model(service, "service-2"))
    return _normal(" ".join(out))


_SHAPE_FACT = re.compile(r"(\w+)\.(\w+)(?:: no output| errors: ([\w, ]+))")


def _shape_fact_holds(quote: str) -> bool:
    """Whether ``SERVICE.Operation: no output`` / ``... errors: A, B`` is what the model says."""
    from botocore.loaders import Loader

    m = _SHAPE_FACT.fullmatch(quote)
    assert m, f"not a shape fact: {quote!r}"
    op = Loader().load_service_model(m.group(1), "service-2")["operations"][m.group(2)]
    if m.group(3) is None:
        return "output" not in op
    return [e["shape"] for e in op.get("errors", [])] == [
        e.strip() for e in m.group(3).split(",")]


@pytest.mark.parametrize("r", all_rules(), ids=lambda r: r.id)
def test_quote_is_verbatim_in_its_source(r) -> None:
    if r.source.startswith("assumption"):
        assert r.assumption and find_assumption(r.assumption) is not None
        return
    if r.source == BOTOCORE_SHAPES:
        assert _shape_fact_holds(r.quote)
        return
    if r.source == BOTOCORE_MODELS:
        import botocore

        found = r.quote and _normal(r.quote) in _botocore_docs()
        if not found and botocore.__version__ != "1.44.5":
            pytest.skip(f"botocore {botocore.__version__} is installed; the quote is from 1.44.5")
        assert found
        return
    if r.source not in SOURCES:
        assert r.source.startswith("observed"), f"{r.id} cites an unknown source {r.source!r}"
        return
    path = SOURCES[r.source]
    if not path.exists():
        pytest.skip(f"{path} is not available here")
    assert r.quote and _normal(r.quote) in _normal(path.read_text(encoding="utf-8"))


def test_shape_facts_can_fail() -> None:
    assert _shape_fact_holds("logs.DisassociateKmsKey: no output")
    assert not _shape_fact_holds("cloudwatch.GetDataset: no output")      # it has one
    assert _shape_fact_holds("cloudwatch.DisassociateDatasetKmsKey errors: ConflictException, "
                             "ResourceNotFoundException")
    assert not _shape_fact_holds("cloudwatch.DisassociateDatasetKmsKey errors: "
                                 "ValidationException")


def test_every_assumption_is_cited_by_a_rule() -> None:
    """An assumption decides only through a rule that names it (issue 9: what kmsim adds is
    a rule citing its assumption, never a silent choice)."""
    from projections.rulebook import all_assumptions

    cited = {r.assumption for r in all_rules() if r.assumption}
    assert [a.id for a in all_assumptions() if a.id not in cited] == []


def test_every_assumption_has_alternatives_and_says_what_each_value_means() -> None:
    """SPEC 3.5: every assumption has a default and named alternatives, each explained."""
    from projections.rulebook import all_assumptions

    for a in all_assumptions():
        assert a.alternatives, f"{a.id} has no alternative"
        unexplained = [v for v in (a.default, *a.alternatives)
                       if not v.endswith(":") and v not in a.meaning]
        assert unexplained == [], f"{a.id}: no meaning for {unexplained}"


@pytest.mark.parametrize("r", [r for r in all_rules() if r.source.startswith("assumption")],
                         ids=lambda r: r.id)
def test_an_assumption_source_names_the_rules_assumption(r) -> None:
    assert r.source == f"assumption {r.assumption}"
