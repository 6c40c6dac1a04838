"""The records a world is made of. Plain data: the machines add only a ``state``.

Models drop everything but their fields when copied or pickled, so a checkpoint is
plain data and a restored world re-binds them to its own Machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, slots=True)
class Cause:
    """Why something is as it is: the time, the event (None for a timer) and the rule."""

    t: int
    seq: int | None
    rule: str
    note: str = ""


class _Model:
    """Base for machine models: copy and pickle only the dataclass fields (not triggers)."""

    def __getstate__(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


@dataclass(eq=False)
class Key(_Model):
    """A KMS key. ``state`` is owned by the key lifecycle Machine."""

    key_id: str
    arn: str
    account: str
    region: str
    spec: str
    usage: str
    origin: str
    description: str
    policy: dict
    created: Cause
    has_material: bool = True
    deletion_date: int | None = None
    valid_to: int | None = None
    was_enabled: bool = False
    state: str = "Enabled"
    since: Cause | None = None
    policy_since: Cause | None = None
    policy_text: str | None = None
    #: CurrentKeyMaterialId of a symmetric AWS_KMS key (R-KMS-38), drawn at CreateKey.
    material_id: str | None = None
    history: list[tuple[int, int | None, str, str]] = field(default_factory=list)
    #: (replaced at, policy) of each key policy PutKeyPolicy replaced, oldest first: the
    #: policy in force at a past moment (A-DS-RELEASE asks what CloudWatch could do then).
    replaced_policies: list[tuple[int, dict]] = field(default_factory=list)
    #: The key's id in ``World.keys`` when it is not its key id: a multi-Region replica
    #: shares its primary's key id, so it is kept under its own ARN (R-KMS-MRK-03).
    store_id: str | None = None
    #: MultiRegionConfiguration as DescribeKey shows it (None: a single-Region key); the
    #: multi-Region folds keep every related key's copy current (R-KMS-MRK-02).
    multi_region: dict | None = None
    #: PendingDeletionWindowInDays of a primary in PendingReplicaDeletion (R-KMS-MRK-08).
    pending_window_days: int | None = None
    #: CustomKeyStoreId, CloudHsmClusterId / XksKeyConfiguration of a key in a custom key
    #: store, as KeyMetadata shows them (R-KMS-CKS-08); None outside a custom key store.
    key_store: dict | None = None
    #: The 32 bytes an asymmetric or HMAC key's material derives from, drawn at CreateKey
    #: (draws KeySeed, R-KMS-ASYM-24); None for symmetric keys and logs older than the draw.
    key_seed: bytes | None = None

    @property
    def world_id(self) -> str:
        """The key's id in ``World.keys`` (its key id, or a replica's ARN)."""
        return self.store_id or self.key_id

    @property
    def symmetric(self) -> bool:
        """Whether this is a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT)."""
        return self.spec == "SYMMETRIC_DEFAULT" and self.usage == "ENCRYPT_DECRYPT"


@dataclass(eq=False)
class Association(_Model):
    """The key association of one resource (a dataset, a log group, a query-result resource).

    ``key`` is the key in force once the last change took effect; during a window
    ``before`` holds the keys possibly in force before the change (more than one when a
    change starts inside another's uncertain window), ``pending`` the key the change
    moves to (None is the service-owned key), and ``effective_at`` when the change takes
    effect (None: uncertain, any moment in ``window``).
    """

    resource: str
    kind: str
    account: str
    region: str
    key: str | None = None
    before: tuple[str | None, ...] = ()
    pending: str | None = None
    change_seq: int | None = None
    window: tuple[int, int] | None = None
    effective_at: int | None = None
    last_change: int | None = None
    since: Cause | None = None
    state: str = "none"
    history: list[tuple[int, int | None, str, str | None, str]] = field(default_factory=list)

    def candidates(self) -> tuple[str | None, ...]:
        """The keys data written now may be under (None: the service-owned key)."""
        if self.state in ("associating", "disassociating"):
            if self.effective_at is None:
                return tuple(dict.fromkeys((*self.before, self.pending)))
            return self.before
        if self.state == "associated":
            return (self.key,)
        return (None,)


@dataclass(slots=True)
class DataItem:
    """One data-plane write: a PutLogEvents batch, a PutMetricData call, a query result."""

    seq: int
    kind: str
    resource: str
    account: str
    region: str
    written_at: int
    keys: tuple[str | None, ...]
    cause: Cause | None = None
    label: str | None = None
    expires_at: int | None = None
    gone: Cause | None = None
    extra: dict | None = None


@dataclass
class Principal:
    """A named caller with its IAM ARN and identity policies."""

    name: str
    arn: str
    policies: list[dict] = field(default_factory=list)
