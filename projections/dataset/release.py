"""The dataset's disassociation windows and what their end leaves a data point needing
(SPEC 3.3; R-DS-20..23, R-DS-47, R-DS-48; A-PROPAGATION, A-DS-RELEASE).

A :class:`Release` is one DisassociateDatasetKmsKey's enforcement window. Once the change
has taken effect the callers' kms:Decrypt requirement is lifted (R-DS-23); whether a point
written under the previous key is then free of it depends on the key at the moment the
change took effect (A-DS-RELEASE ``caller-lifted``: could CloudWatch use it then?). That
moment is past when the question is asked, so the key's state and policy at it are read
back from the key's history (``Key.history``, and ``Key.replaced_policies``, which the KMS
fold keeps). When the window model leaves the moment open
(``uncertain``), every moment the change may have taken effect at is a possibility.

This module imports no area fold: :mod:`projections.dataset.fold` imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.arns import CLOUDWATCH_PRINCIPAL
from projections.iam.policy import Request, evaluate
from projections.model import Key
from projections.world import World


@dataclass(frozen=True)
class Release:
    """One disassociation's enforcement window: ``keys`` (the previous key) still needed
    from ``start`` until the change takes effect at ``effective`` (None: any moment before
    ``end``, A-PROPAGATION 'uncertain'). ``seq`` is the Disassociate event."""

    keys: tuple[str, ...]
    start: int
    end: int
    effective: int | None
    seq: int

    def phases(self, t: int) -> tuple[bool, ...]:
        """Whether the requirement still holds at ``t``: (True,), (False,) or both."""
        if t < self.start:
            return (True,)
        if self.effective is not None:
            return (t < self.effective,)
        return (True, False) if t < self.end else (False,)


def end_moments(release: Release, written_at: int, now: int) -> tuple[int, int] | None:
    """``[lo, hi)``: the moments at which ``release`` may have taken effect, by ``now``, for
    a point written at ``written_at`` under its key (so before the change took effect);
    None when it cannot have taken effect yet."""
    if release.effective is not None:
        if release.effective > now:
            return None
        return release.effective, release.effective + 1
    lo = release.start if written_at < release.start else written_at + 1
    hi = min(now + 1, release.end)
    return (lo, hi) if lo < hi else None


def state_at(key: Key, t: int) -> str:
    """The key's state at ``t`` (after every change at or before ``t``)."""
    state = key.history[0][2] if key.history else key.state
    for when, _seq, value, _rule in key.history:
        if when > t:
            break
        state = value
    return state


def policy_at(key: Key, t: int) -> dict:
    """The key policy in force at ``t``: the first policy replaced after ``t``, else the
    current one."""
    for replaced, policy in key.replaced_policies:
        if replaced > t:
            return policy
    return key.policy


def _changes(key: Key, lo: int, hi: int) -> list[int]:
    """The moments in ``(lo, hi)`` at which the key's state or policy changed."""
    times = {when for when, *_ in key.history}
    times |= {replaced for replaced, _ in key.replaced_policies}
    return sorted(t for t in times if lo < t < hi)


def freed_at(world: World, key: Key, t: int, mode: str, context: dict[str, str]
             ) -> tuple[bool, str]:
    """Whether a change taking effect at ``t`` frees a point under ``key`` (A-DS-RELEASE
    ``caller-lifted``: CloudWatch could use the key then; ``lifted``: it was not Deleted),
    with what the key was like then, in words."""
    state = state_at(key, t)
    if mode == "lifted":
        return state != "Deleted", f"{key.arn} was {state}"
    if state != "Enabled":
        return False, f"CloudWatch could not use {key.arn}: it was {state}"
    decision = evaluate(Request(CLOUDWATCH_PRINCIPAL, "kms:Decrypt", key.arn, context),
                        policy_at(key, t))
    if not decision.allowed:
        return False, (f"CloudWatch could not use {key.arn}: its key policy did not allow "
                       f"{CLOUDWATCH_PRINCIPAL} kms:Decrypt ({decision.reason})")
    return True, f"CloudWatch could use {key.arn}"


def freed_over(world: World, key: Key, span: tuple[int, int], mode: str,
               context: dict[str, str]) -> dict[bool, tuple[int, str]]:
    """Each distinct outcome of :func:`freed_at` over the moments of ``span`` (the key only
    changes at recorded moments, so those and ``span``'s start are enough), with the first
    moment that gives it."""
    lo, hi = span
    out: dict[bool, tuple[int, str]] = {}
    for t in (lo, *_changes(key, lo, hi)):
        free, why = freed_at(world, key, t, mode, context)
        out.setdefault(free, (t, why))
    return out


__all__ = ["Release", "end_moments", "freed_at", "freed_over", "policy_at", "state_at"]
