"""KMS grants: their state, folds, and how they take part in authorization (R-KMS-GRANT-*).

A grant lets its grantee perform its operations on one key (R-KMS-GRANT-10) when the
request meets its constraints (R-KMS-GRANT-12..14); an explicit Deny still wins
(R-KMS-GRANT-11). Creating, retiring and revoking a grant take effect within a window of up
to five minutes (R-KMS-GRANT-08), drawn like every "up to" window (A-PROPAGATION); a request
presenting the grant token uses a new grant at once (R-KMS-GRANT-09).

:func:`grant_decisions` is the one place both sides ask: the command side
(``sim.services.kms.common.authorize``) and the answers (``projections.decrypt``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from events.record import Event
from projections.iam.policy import Decision, Request, evaluate
from projections.model import Cause, Key
from projections.windows import effective_delay
from projections.world import World, folds

#: "usually less than five minutes" (R-KMS-GRANT-08): the window of a grant change.
GRANT_WINDOW_MS = 5 * 60_000
#: The operations whose requests carry an encryption context, where a constraint applies
#: (R-KMS-GRANT-12..14); for the others (DescribeKey, RetireGrant, ...) it does not.
CONTEXT_OPERATIONS = frozenset({
    "Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext"})
_CONTEXT_PREFIX = "kms:encryptioncontext:"
_ACCOUNT_ROOT = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:root")
#: The actions that take GrantTokens whose operations do not list InvalidGrantTokenException
#: in botocore's kms model (R-KMS-GRANT-31); every other one that takes them does (-30).
TOKEN_ERROR_UNLISTED = frozenset({"kms:DescribeKey"})


@dataclass
class Grant:
    """One grant, as CreateGrant made it; ``ended`` once retired or revoked."""

    grant_id: str
    key_arn: str
    key_id: str
    account: str  #: the account the grant was issued in (IssuingAccount)
    grantee: str
    operations: tuple[str, ...]
    creator: str
    created: Cause
    tokens: list[str] = field(default_factory=list)
    retiring: str | None = None
    service_grantee: bool = False
    service_retiring: bool = False
    name: str | None = None
    constraints: dict | None = None
    #: When the creation takes effect (None: any moment in its window, A-PROPAGATION).
    effective_at: int | None = None
    ended: Cause | None = None  #: RetireGrant or RevokeGrant
    ended_effective_at: int | None = None

    @property
    def parameters(self) -> tuple:
        """What makes two CreateGrant requests identical (R-KMS-GRANT-05)."""
        return (self.key_arn, self.grantee, self.service_grantee, self.retiring,
                self.service_retiring, tuple(sorted(self.operations)),
                _frozen(self.constraints), self.name)

    def status(self, now: int, tokens: Iterable[str] = ()) -> str:
        """Whether the grant is in effect at ``now``: ``yes``, ``no`` or ``maybe`` (inside an
        uncertain window). A presented token of the grant makes a new grant count at once
        (R-KMS-GRANT-09); nothing brings back a retired or revoked one."""
        if any(t in self.tokens for t in tokens):
            start = "yes"
        elif self.effective_at is not None:
            start = "yes" if now >= self.effective_at else "no"
        else:
            start = "yes" if now >= self.created.t + GRANT_WINDOW_MS else "maybe"
        end = "yes"
        if self.ended is not None:
            if self.ended_effective_at is not None:
                end = "yes" if now < self.ended_effective_at else "no"
            else:
                end = "maybe" if now < self.ended.t + GRANT_WINDOW_MS else "no"
        if "no" in (start, end):
            return "no"
        return "yes" if start == end == "yes" else "maybe"

    def open_window(self, now: int) -> str:
        """Which change of the grant leaves it undecided at ``now`` (for the answers)."""
        if self.ended is not None and now < self.ended.t + GRANT_WINDOW_MS:
            how = "revoked" if self.ended.rule == "R-KMS-GRANT-20" else "retired"
            return (f"it was {how} by event #{self.ended.seq}, which may take until "
                    f"{GRANT_WINDOW_MS // 60_000} minutes later to take effect")
        return (f"it was created by event #{self.created.seq}, which may take until "
                f"{GRANT_WINDOW_MS // 60_000} minutes later to take effect")

    def allows(self, operation: str, context: Mapping[str, str]) -> bool:
        """Whether the grant covers ``operation`` (``Decrypt``) with this encryption context
        (R-KMS-GRANT-12..14)."""
        if operation not in self.operations:
            return False
        if operation not in CONTEXT_OPERATIONS or not self.constraints:
            return True
        equals = self.constraints.get("EncryptionContextEquals")
        if equals is not None and dict(context) != dict(equals):
            return False
        subset = self.constraints.get("EncryptionContextSubset")
        return subset is None or all(context.get(k) == v for k, v in subset.items())

    def to_entry(self) -> dict:
        """The GrantListEntry of ListGrants and ListRetirableGrants, in the model's order."""
        entry: dict = {"KeyId": self.key_arn, "GrantId": self.grant_id}
        if self.name:
            entry["Name"] = self.name
        entry["CreationDate"] = self.created.t / 1000
        entry["GranteeServicePrincipal" if self.service_grantee
              else "GranteePrincipal"] = self.grantee
        if self.retiring:
            entry["RetiringServicePrincipal" if self.service_retiring
                  else "RetiringPrincipal"] = self.retiring
        entry["IssuingAccount"] = f"arn:aws:iam::{self.account}:root"
        entry["Operations"] = list(self.operations)
        if self.constraints:
            entry["Constraints"] = self.constraints
        return entry


@dataclass
class GrantsState:
    """Every grant by id, and the grant each token names."""

    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def of_key(self, key_arn: str) -> list[Grant]:
        """The grants of a key, retired and revoked ones included, oldest first."""
        return [g for g in self.grants.values() if g.key_arn == key_arn]

    def live(self, key_arn: str | None = None) -> list[Grant]:
        """The grants not retired or revoked (of ``key_arn`` when given), oldest first."""
        return [g for g in self.grants.values() if g.ended is None
                and (key_arn is None or g.key_arn == key_arn)]

    def by_token(self, token: str) -> Grant | None:
        """The grant a token names (None: not a token of any grant)."""
        gid = self.tokens.get(token)
        return None if gid is None else self.grants.get(gid)


def _frozen(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def encryption_context(condition_keys: Mapping[str, str]) -> dict[str, str]:
    """The encryption context of a request from its condition keys
    (``kms:EncryptionContext:K`` -> ``K``)."""
    return {k[len(_CONTEXT_PREFIX):]: v for k, v in condition_keys.items()
            if k.lower().startswith(_CONTEXT_PREFIX)}


# -- the decision both sides share --------------------------------------------------------


@dataclass(frozen=True)
class GrantDecision(Decision):
    """A decision that a grant made (allowed) or might have made (``undecided``)."""

    grant_id: str = ""
    seq: int | None = None
    rules: tuple[str, ...] = ()


def grant_decisions(world: World, key: Key, principal: str, action: str,
                    condition_keys: Mapping[str, str], policy: Decision,
                    tokens: Sequence[str] = ()) -> tuple[Decision, ...]:
    """The possible decisions on ``action`` by ``principal`` on ``key`` at ``world.now``:
    ``(policy,)`` when the policies allow it or deny it explicitly (R-KMS-GRANT-11) or no
    grant could allow it; ``(grant,)`` when a grant in effect allows it; ``(grant, policy)``
    when only grants inside an uncertain window could (R-KMS-GRANT-08, R-WIN-02)."""
    if policy.allowed or (policy.statement is not None and policy.statement.effect == "Deny"):
        return (policy,)
    state = world.area_states.get(GrantsState)
    if not state or not state.grants:
        return (policy,)
    operation = action.removeprefix("kms:")
    context = encryption_context(condition_keys)
    maybe: GrantDecision | None = None
    for grant in state.of_key(key.arn):
        if not grant.allows(operation, context):
            continue
        via = represents(world, grant, principal, action, condition_keys)
        if via is None:
            continue
        status = grant.status(world.now, tokens)
        if status == "no":
            continue
        decision = _grant_decision(grant, principal, action, key, status, tokens, world.now,
                                   via)
        if status == "yes":
            return (decision,)
        maybe = maybe or decision
    if maybe is None:
        return (policy,)
    grant = state.grants[maybe.grant_id]
    window = (f"without grant {grant.grant_id}, which may or may not be in effect: "
              f"{grant.open_window(world.now)} (R-KMS-GRANT-08, A-PROPAGATION)")
    return (maybe, GrantDecision(False, policy.reason, policy.statement,
                                 (*policy.notes, window), maybe.grant_id, _last_seq(grant),
                                 ("R-KMS-GRANT-08",)))


def _last_seq(grant: Grant) -> int | None:
    """The event of the grant's latest change (its retirement or revocation, else creation)."""
    return grant.ended.seq if grant.ended is not None else grant.created.seq


@functools.lru_cache(maxsize=256)
def _account_policy(account_root: str, action: str) -> dict:
    """A key policy statement naming the account, as a grant to it reads (A-GRANT-ACCOUNT-
    GRANTEE iam): one dict per question, so the policy evaluation remembers its answers."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": account_root}, "Action": action,
         "Resource": "*"}]}


def account_allows(world: World, account_root: str, principal: str, action: str,
                   resource: str, condition_keys: Mapping[str, str]) -> Decision | None:
    """The IAM decision that lets ``principal`` act for the account ``account_root`` names
    (``arn:aws:iam::ACCOUNT:root``), as a key policy naming the account delegates to IAM
    (R-KMS-GRANT-28, R-KMS-GRANT-29, A-GRANT-ACCOUNT-GRANTEE iam); None when it does not:
    not an account, the principal is of another account, or no IAM policy allows it."""
    if not _ACCOUNT_ROOT.fullmatch(account_root):
        return None
    if world.setting("grant_account_grantee") != "iam" and principal != account_root:
        return None
    decision = evaluate(Request(principal, action, resource, dict(condition_keys)),
                        _account_policy(account_root, action),
                        world.identity_policies(principal))
    return decision if decision.allowed else None


def represents(world: World, grant: Grant, principal: str, action: str,
               condition_keys: Mapping[str, str]) -> str | None:
    """Whether ``principal`` is (one of) the grant's grantee: how (``""``: itself; else the
    words naming the account and the IAM allow, R-KMS-GRANT-28), or None."""
    if grant.grantee == principal:
        return ""
    if grant.service_grantee:
        return None
    found = account_allows(world, grant.grantee, principal, action, grant.key_arn,
                           condition_keys)
    if found is None:
        return None
    how = "its root user" if _ACCOUNT_ROOT.fullmatch(principal) or found.statement is None \
        else f"a principal of it, allowed by {found.statement.describe()}"
    return (f" to account {grant.grantee} ({how}; R-KMS-GRANT-28, A-GRANT-ACCOUNT-GRANTEE)")


def token_problem(world: World, tokens: Sequence[str], action: str
                  ) -> tuple[str, str] | None:
    """Why a request's GrantTokens are refused with InvalidGrantTokenException, as
    ``(rule, message)``, or None: a token that is not a grant token KMS issued (R-KMS-GRANT-30;
    DescribeKey as A-GRANT-TOKEN-UNLISTED says, R-KMS-GRANT-31), or the token of a retired or
    revoked grant under A-GRANT-TOKEN-ENDED ``invalid`` (R-KMS-GRANT-32)."""
    state = world.area_states.get(GrantsState)
    known = state.tokens if state is not None else {}
    for token in tokens:
        gid = known.get(token)
        if gid is None:
            if action in TOKEN_ERROR_UNLISTED and \
                    world.setting("grant_token_unlisted") == "ignore":
                continue
            rule = "R-KMS-GRANT-31" if action in TOKEN_ERROR_UNLISTED else "R-KMS-GRANT-30"
            return rule, ("The request was rejected because the specified grant token is not "
                          "valid. [kmsim: no grant has this token]")
        grant = state.grants.get(gid) if state is not None else None
        if grant is not None and grant.ended is not None and \
                world.setting("grant_token_ended") == "invalid":
            how = "revoked" if grant.ended.rule == "R-KMS-GRANT-20" else "retired"
            return "R-KMS-GRANT-32", (
                "The request was rejected because the specified grant token is not valid. "
                f"[kmsim: grant {gid} was {how} by event #{grant.ended.seq}]")
    return None


def _grant_decision(grant: Grant, principal: str, action: str, key: Key, status: str,
                    tokens: Sequence[str], key_now: int, via: str = "") -> GrantDecision:
    by_token = any(t in grant.tokens for t in tokens)
    how = " (its grant token was presented, R-KMS-GRANT-09)" if by_token else ""
    if status == "maybe":
        how = (f" if the grant is in effect ({grant.open_window(key_now)}, R-KMS-GRANT-08)")
    rules = ("R-KMS-GRANT-10", *(("R-KMS-GRANT-28",) if via else ()),
             *(("R-KMS-GRANT-09",) if by_token else ()),
             *(("R-KMS-GRANT-08",) if status == "maybe" else ()))
    seq = grant.created.seq
    reason = (f"R-KMS-GRANT-10: {principal} may {action} with key {key.arn} through grant "
              f"{grant.grant_id}{via}, created by {grant.creator} (event #{seq}){how}")
    return GrantDecision(True, reason, None, (), grant.grant_id, _last_seq(grant), rules)


def settle(decisions: Sequence[Decision], undecided: str) -> Decision:
    """The one decision a call needs from :func:`grant_decisions`' possibilities: a grant
    that may or may not be in effect allows it only under A-GRANT-UNDECIDED ``allow``
    (R-KMS-GRANT-23)."""
    if len(decisions) == 1:
        return decisions[0]
    return decisions[0] if undecided == "allow" else decisions[-1]


# -- folds ---------------------------------------------------------------------------------


def window_effect(world: World, event: Event) -> int | None:
    """When a grant change of ``event`` takes effect (None: any moment in its window)."""
    delay = effective_delay(world.setting("propagation"), GRANT_WINDOW_MS,
                            event.draws.get("delay"))
    return None if delay is None else event.t + delay


def grant_of_request(state: GrantsState, world: World, req: Mapping, account: str,
                     region: str) -> Grant | None:
    """The live grant a RetireGrant or RevokeGrant request names: by its token
    (R-KMS-GRANT-18), else by the key and GrantId. The handler and the fold both ask here."""
    if req.get("GrantToken") and not req.get("GrantId"):
        grant = state.by_token(str(req["GrantToken"]))
    else:
        key = world.find_key(str(req.get("KeyId", "")), account, region)
        grant = state.grants.get(str(req.get("GrantId", "")))
        if key is None or grant is None or grant.key_arn != key.arn:
            return None
    return grant if grant is not None and grant.ended is None else None


def constraints_of(req: Mapping) -> dict | None:
    """The Constraints of a CreateGrant request as a grant keeps them (None when empty)."""
    found = {k: dict(v) if isinstance(v, Mapping) else v
             for k, v in (req.get("Constraints") or {}).items() if v is not None}
    return found or None


@folds("kms:CreateGrant")
def _create_grant(world: World, event: Event) -> None:
    state = world.state(GrantsState)
    res, req = event.res, event.req
    gid, token = str(res["GrantId"]), str(res["GrantToken"])
    state.tokens[token] = gid
    known = state.grants.get(gid)
    if known is not None:  # the same Name and parameters: the existing grant (R-KMS-GRANT-05)
        known.tokens.append(token)
        return
    key = world.find_key(str(req["KeyId"]), event.account, event.region)
    if key is None:
        raise LookupError(f"event #{event.seq}: key {req['KeyId']!r} not in the world")
    service = bool(req.get("GranteeServicePrincipal"))
    retiring = req.get("RetiringServicePrincipal") or req.get("RetiringPrincipal")
    state.grants[gid] = Grant(
        grant_id=gid, key_arn=key.arn, key_id=key.key_id, account=key.account,
        grantee=str(req.get("GranteeServicePrincipal") or req.get("GranteePrincipal")),
        operations=tuple(req.get("Operations") or ()), creator=event.actor,
        created=Cause(event.t, event.seq, "R-KMS-GRANT-01", event.op), tokens=[token],
        retiring=retiring, service_grantee=service,
        service_retiring=bool(req.get("RetiringServicePrincipal")), name=req.get("Name"),
        constraints=constraints_of(req), effective_at=window_effect(world, event))


@folds("kms:RetireGrant", "kms:RevokeGrant")
def _end_grant(world: World, event: Event) -> None:
    state = world.state(GrantsState)
    grant = grant_of_request(state, world, event.req, event.account, event.region)
    if grant is None:  # the command side accepted it, so the world must know the grant
        raise LookupError(f"event #{event.seq}: no live grant for {event.req!r}")
    rule = "R-KMS-GRANT-20" if event.op == "kms:RevokeGrant" else "R-KMS-GRANT-19"
    grant.ended = Cause(event.t, event.seq, rule, event.op)
    grant.ended_effective_at = window_effect(world, event)


__all__ = ["CONTEXT_OPERATIONS", "GRANT_WINDOW_MS", "TOKEN_ERROR_UNLISTED", "Grant",
           "GrantDecision", "GrantsState", "account_allows", "constraints_of",
           "encryption_context", "grant_decisions", "grant_of_request", "represents",
           "settle", "token_problem", "window_effect"]
