"""Folds of KMS key management (issue 13): tags, descriptions, alias dates, import
parameters, and each key's last cryptographic use (rules R-KMS-MGMT-NN).

The state lives in :class:`KmsManageState` (``world.state``/``world.peek``), keyed by key
ARN, which is unique even for multi-Region replicas that share a key id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.record import Event
from projections.world import World, folds

#: How long GetParametersForImport's public key and token stay valid (R-KMS-MGMT-11).
IMPORT_PARAMETERS_VALID_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class ImportParameters:
    """What one GetParametersForImport answer linked (R-KMS-MGMT-11): the key, until when,
    the wrapping algorithm and key spec, and the event that issued it."""

    key_arn: str
    valid_to: int
    algorithm: str
    spec: str
    seq: int


@dataclass
class KmsManageState:
    """Per-key management state of every account and Region."""

    #: key ARN -> {tag key: tag value}, in the order the tags were first added
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    #: ImportToken (base64, as answered) -> its parameters
    import_tokens: dict[str, ImportParameters] = field(default_factory=dict)
    #: (account, Region, alias name) -> (CreationDate, LastUpdatedDate) in milliseconds
    alias_dates: dict[tuple[str, str, str], tuple[int, int]] = field(default_factory=dict)
    #: key ARN -> (operation, time, event number) of its last successful cryptographic use
    last_use: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def tags_of(world: World, arn: str) -> dict[str, str]:
    """The tags of the key ``arn`` (empty when it has none); creates no state."""
    state = world.peek(KmsManageState)
    return dict(state.tags.get(arn, {})) if state is not None else {}


def set_tags(world: World, arn: str, tags: list[dict]) -> None:
    """Add or replace ``tags`` (``[{"TagKey", "TagValue"}]``) on the key ``arn``
    (R-KMS-MGMT-01); CreateKey's fold calls this too (R-KMS-MGMT-06)."""
    if not tags:
        return
    mine = world.state(KmsManageState).tags.setdefault(arn, {})
    for tag in tags:
        mine[tag["TagKey"]] = tag["TagValue"]


def note_alias(world: World, event: Event, created: bool) -> None:
    """An alias was created (``created``) or pointed at another key now (R-KMS-MGMT-10)."""
    name = (event.account, event.region, event.req["AliasName"])
    dates = world.state(KmsManageState).alias_dates
    first = event.t if created or name not in dates else dates[name][0]
    dates[name] = (first, event.t)


def forget_alias(world: World, event: Event) -> None:
    """DeleteAlias: the alias's dates go with it."""
    state = world.peek(KmsManageState)
    if state is not None:
        state.alias_dates.pop((event.account, event.region, event.req["AliasName"]), None)


def alias_dates(world: World, account: str, region: str, name: str) -> tuple[int, int] | None:
    """(CreationDate, LastUpdatedDate) of an alias, in milliseconds; None when unknown
    (an alias from a log written before they were kept)."""
    state = world.peek(KmsManageState)
    return state.alias_dates.get((account, region, name)) if state is not None else None


def import_parameters(world: World, token: str) -> ImportParameters | None:
    """The parameters GetParametersForImport linked to ``token``; None for a token it did
    not issue."""
    state = world.peek(KmsManageState)
    return state.import_tokens.get(token) if state is not None else None


def last_use(world: World, arn: str) -> tuple[str, int, int] | None:
    """(operation, time, event number) of the key's last successful cryptographic use."""
    state = world.peek(KmsManageState)
    return state.last_use.get(arn) if state is not None else None


def note_use(world: World, event: Event, *arns: str) -> None:
    """A successful cryptographic operation used these keys (R-KMS-MGMT-22); other areas'
    folds of cryptographic operations may call this too."""
    uses = world.state(KmsManageState).last_use
    op = event.op.removeprefix("kms:")
    for arn in arns:
        if isinstance(arn, str) and arn:
            uses[arn] = (op, event.t, event.seq)


@folds("kms:TagResource")
def _tag(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert key is not None  # the handler resolved it
    set_tags(world, key.arn, event.req.get("Tags") or [])


@folds("kms:UntagResource")
def _untag(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert key is not None
    mine = world.state(KmsManageState).tags.get(key.arn, {})
    for tag_key in event.req.get("TagKeys") or []:
        mine.pop(tag_key, None)  # an absent tag key is no error (R-KMS-MGMT-02)


@folds("kms:UpdateKeyDescription")
def _describe(world: World, event: Event) -> None:
    key = world.find_key(str(event.req["KeyId"]), event.account, event.region)
    assert key is not None
    key.description = event.req["Description"]  # R-KMS-MGMT-07


@folds("kms:GetParametersForImport")
def _import_parameters(world: World, event: Event) -> None:
    # the token and its expiry are what the response answered
    res = event.res
    world.state(KmsManageState).import_tokens[res["ImportToken"]] = ImportParameters(
        res["KeyId"], round(res["ParametersValidTo"] * 1000), event.req["WrappingAlgorithm"],
        event.req["WrappingKeySpec"], event.seq)


@folds("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext")
def _used(world: World, event: Event) -> None:
    if event.op == "kms:Decrypt" and not event.req.get("CiphertextBlob"):
        return  # kmsim's permission check without a ciphertext decrypts nothing
    note_use(world, event, event.res.get("KeyId", ""))


@folds("kms:ReEncrypt")
def _re_encrypted(world: World, event: Event) -> None:
    note_use(world, event, event.res.get("SourceKeyId", ""), event.res.get("KeyId", ""))
