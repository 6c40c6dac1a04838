"""KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant
(R-KMS-GRANT-*). The grants themselves live in ``projections.kms.grants.GrantsState``; how
they allow calls is ``common.authorize`` (R-KMS-GRANT-10)."""

from __future__ import annotations

import base64
from collections.abc import Mapping

from projections.arns import root_arn
from projections.iam.policy import Request, evaluate
from projections.kms.grants import (
    GRANT_WINDOW_MS,
    Grant,
    GrantDecision,
    GrantsState,
    account_allows,
    constraints_of,
    grant_of_request,
    represents,
)
from projections.model import Key
from projections.windows import draw_delay
from sim.errors import AwsError
from sim.params import Param, Violation, fail
from sim.services.kms.asymmetric import dry_run
from sim.services.kms.common import (
    KEY_ID,
    authorize,
    authorize_identity,
    check,
    kms_list,
    require_state,
    resolve,
)
from sim.services.registry import CallContext, operation

#: GrantOperation of the kms model.
GRANT_OPERATIONS = ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                    "ReEncryptFrom", "ReEncryptTo", "Sign", "Verify", "GetPublicKey",
                    "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
                    "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac",
                    "DeriveSharedSecret", "Encapsulate", "Decapsulate")
_ANY_KEY = ("CreateGrant", "RetireGrant", "DescribeKey")
#: R-KMS-GRANT-03: the grant operations each kind of key supports (its KeyUsage, and for
#: ENCRYPT_DECRYPT whether it is symmetric).
_SUPPORTED = {
    "SYMMETRIC": ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                  "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair",
                  "GenerateDataKeyPairWithoutPlaintext"),
    "ENCRYPT_DECRYPT": ("Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"),
    "SIGN_VERIFY": ("Sign", "Verify", "GetPublicKey"),
    "GENERATE_VERIFY_MAC": ("GenerateMac", "VerifyMac"),
    "KEY_AGREEMENT": ("DeriveSharedSecret", "GetPublicKey"),
    "ENCAPSULATE_DECAPSULATE": ("Encapsulate", "Decapsulate", "GetPublicKey"),
}
_PRINCIPAL = r"^[\w+=,.@:/-]+$"
_SERVICE = r"^([A-Za-z0-9\-]+)\.([A-Za-z0-9\-]+)(\.[A-Za-z0-9\-]+)+$"
GRANT_TOKENS = Param("GrantTokens", list, min=0, max=10,
                     items=Param("member", str, min=1, max=8192))
GRANT_ID = Param("GrantId", str, min=1, max=128)
LIMIT = Param("Limit", int, min=1, max=1000)
MARKER = Param("Marker", str, min=1, max=1024, pattern=r"[\u0020-\u00FF]*")
DRY_RUN = Param("DryRun", bool)
CREATE_PARAMS = (
    KEY_ID, Param("GranteePrincipal", str, min=1, max=256, pattern=_PRINCIPAL),
    Param("RetiringPrincipal", str, min=1, max=256, pattern=_PRINCIPAL),
    Param("Operations", list, required=True, items=Param("member", str, enum=GRANT_OPERATIONS)),
    Param("Constraints", dict), GRANT_TOKENS,
    Param("Name", str, min=1, max=256, pattern=r"^[a-zA-Z0-9:/_-]+$"), DRY_RUN,
    Param("GranteeServicePrincipal", str, min=1, max=128, pattern=_SERVICE),
    Param("RetiringServicePrincipal", str, min=1, max=128, pattern=_SERVICE))


def _invalid(message: str, rule: str) -> AwsError:
    return AwsError("ValidationException", message, rule)


def _check_grantees(req: dict) -> None:
    """Exactly one grantee (R-KMS-GRANT-04), at most one retiring principal; a service grantee
    needs a SourceArn constraint and a retiring principal (botocore's docs)."""
    if bool(req.get("GranteePrincipal")) == bool(req.get("GranteeServicePrincipal")):
        raise _invalid("You must specify either GranteePrincipal or GranteeServicePrincipal, "
                       "but not both.", "R-KMS-GRANT-04")
    if req.get("RetiringPrincipal") and req.get("RetiringServicePrincipal"):
        raise _invalid("You can specify either RetiringPrincipal or RetiringServicePrincipal, "
                       "but not both.", "R-KMS-GRANT-04")
    if req.get("GranteeServicePrincipal") and not (
            (req.get("Constraints") or {}).get("SourceArn")
            and (req.get("RetiringPrincipal") or req.get("RetiringServicePrincipal"))):
        raise _invalid("When you specify a GranteeServicePrincipal, you must also specify a "
                       "SourceArn grant constraint and a retiring principal.", "R-KMS-GRANT-04")


def _check_operations(key: Key, req: dict) -> None:
    """The operations and constraints must suit the key (R-KMS-GRANT-03, R-KMS-GRANT-27)."""
    symmetric = key.spec == "SYMMETRIC_DEFAULT" and key.usage == "ENCRYPT_DECRYPT"
    supported = (*_ANY_KEY, *_SUPPORTED["SYMMETRIC" if symmetric else key.usage])
    wrong = [op for op in req["Operations"] if op not in supported]
    if wrong:
        raise _invalid(f"The grant operations {', '.join(wrong)} are not supported on key "
                       f"{key.arn} ({key.spec}, {key.usage})", "R-KMS-GRANT-03")
    constraints = req.get("Constraints") or {}
    unknown = sorted(set(constraints) - {"EncryptionContextEquals", "EncryptionContextSubset",
                                         "SourceArn"})
    if unknown:
        raise _invalid(f"Unknown grant constraint {unknown[0]}", "R-KMS-GRANT-27")
    for name in ("EncryptionContextEquals", "EncryptionContextSubset"):
        pairs = constraints.get(name)
        if pairs is None:
            continue
        if not symmetric:
            raise _invalid(f"{name} is supported only on symmetric encryption KMS keys",
                           "R-KMS-GRANT-27")
        if not isinstance(pairs, Mapping) or len(pairs) > 8 or any(
                not isinstance(v, str) or len(v) > 384 for v in pairs.values()):
            raise _invalid(f"{name} can include up to 8 encryption context pairs, each value "
                           "at most 384 characters", "R-KMS-GRANT-27")


def _within_parent(parent: Grant, req: dict) -> None:
    """A grant made through a grant's CreateGrant is as restrictive as its parent or more
    (R-KMS-GRANT-24)."""
    extra = [op for op in req["Operations"] if op not in parent.operations]
    mine = constraints_of(req) or {}
    theirs = parent.constraints or {}
    p_eq, p_sub = theirs.get("EncryptionContextEquals"), theirs.get("EncryptionContextSubset")
    c_eq, c_sub = mine.get("EncryptionContextEquals"), mine.get("EncryptionContextSubset")
    looser = False
    if p_eq is not None:
        looser = c_eq != p_eq
    elif p_sub is not None:
        child = c_eq if c_eq is not None else c_sub
        looser = child is None or any(child.get(k) != v for k, v in p_sub.items())
    if extra or looser:
        why = (f"operations {', '.join(extra)} are not in the parent grant" if extra else
               "its encryption context constraint is less strict than the parent grant's")
        raise AwsError("AccessDeniedException",
                       f"Grant {parent.grant_id} allows creating only grants as restrictive as "
                       f"it: {why}", "R-KMS-GRANT-24")


def _same(state: GrantsState, key: Key, req: dict, grantee: str, mode: str) -> Grant | None:
    """The live grant a named CreateGrant answers instead of a new one (R-KMS-GRANT-05,
    R-KMS-GRANT-06)."""
    name = req.get("Name")
    if not name:
        return None
    retiring = req.get("RetiringServicePrincipal") or req.get("RetiringPrincipal")
    wanted = (key.arn, grantee, bool(req.get("GranteeServicePrincipal")), retiring,
              bool(req.get("RetiringServicePrincipal")), tuple(sorted(req["Operations"])))
    for grant in state.live(key.arn):
        if grant.name != name:
            continue
        if mode == "existing":
            return grant
        probe = Grant(grant.grant_id, key.arn, key.key_id, key.account, grantee,
                      tuple(req["Operations"]), "", grant.created, retiring=retiring,
                      service_grantee=wanted[2], service_retiring=wanted[4], name=name,
                      constraints=constraints_of(req))
        if probe.parameters == grant.parameters:
            return grant
    return None


def _record_window(ctx: CallContext) -> None:
    """Under ``random:SEED`` the delay of the grant change is drawn now and recorded
    (A-PROPAGATION, R-KMS-GRANT-08)."""
    delay = draw_delay(ctx.setting("propagation"), GRANT_WINDOW_MS, ctx.seq)
    if delay is not None:
        ctx.draws.record("delay", delay)


@operation("kms:CreateGrant")
def create_grant(ctx: CallContext, req: dict) -> dict:
    """Add a grant to a key (R-KMS-GRANT-01); needs kms:CreateGrant (R-KMS-GRANT-02)."""
    check(req, *CREATE_PARAMS)
    key = resolve(ctx, req["KeyId"])
    decision = authorize(ctx, key, "kms:CreateGrant")
    require_state(key, "kms:CreateGrant", ctx)
    _check_grantees(req)
    _check_operations(key, req)
    state = ctx.world.peek(GrantsState)
    if isinstance(decision, GrantDecision) and decision.grant_id in state.grants:
        _within_parent(state.grants[decision.grant_id], req)
    dry_run(req)  # every KMS DryRun answers alike (R-KMS-ASYM-26)
    grantee = str(req.get("GranteeServicePrincipal") or req.get("GranteePrincipal"))
    existing = _same(state, key, req, grantee, ctx.setting("grant_name_reuse"))
    gid = existing.grant_id if existing else ctx.draws.bytes("GrantId", 32).hex()
    token = base64.b64encode(ctx.draws.bytes("GrantToken", 96)).decode()
    if existing is None:
        _record_window(ctx)
    return {"GrantToken": token, "GrantId": gid}


def _page(items: list[Grant], req: dict, op: str) -> dict:
    """A page of grants (R-KMS-24, R-KMS-25): Limit 1..100, default 50 (R-KMS-GRANT-16)."""
    limit = req.get("Limit", 50)
    if limit > 100:
        raise fail("ValidationException", "R-KMS-GRANT-16", Violation("limit", limit, "max", 100))
    res = kms_list("Grants", items, lambda g: f"{g.created.seq or 0:012d}:{g.grant_id}",
                   {**req, "Limit": limit}, 50, op)
    res["Grants"] = [g.to_entry() for g in res["Grants"]]
    return res


@operation("kms:ListGrants")
def list_grants(ctx: CallContext, req: dict) -> dict:
    """The live grants of a key, by GrantId or GranteePrincipal if asked (R-KMS-GRANT-15)."""
    check(req, LIMIT, MARKER, KEY_ID, GRANT_ID,
          Param("GranteePrincipal", str, min=1, max=256, pattern=_PRINCIPAL),
          Param("GranteeServicePrincipal", str, min=1, max=128, pattern=_SERVICE))
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:ListGrants")
    require_state(key, "kms:ListGrants", ctx)
    grants = ctx.world.peek(GrantsState).live(key.arn)
    if req.get("GrantId"):
        grants = [g for g in grants if g.grant_id == req["GrantId"]]
    who = req.get("GranteePrincipal") or req.get("GranteeServicePrincipal")
    if who:
        grants = [g for g in grants if g.grantee == who]
    return _page(grants, req, "kms:ListGrants")


@operation("kms:ListRetirableGrants")
def list_retirable_grants(ctx: CallContext, req: dict) -> dict:
    """The live grants of the account and Region whose retiring principal is the one named;
    needs kms:ListRetirableGrants in an IAM policy (R-KMS-GRANT-17)."""
    check(req, LIMIT, MARKER,
          Param("RetiringPrincipal", str, min=1, max=256, pattern=_PRINCIPAL),
          Param("RetiringServicePrincipal", str, min=1, max=128, pattern=_SERVICE))
    who = req.get("RetiringPrincipal") or req.get("RetiringServicePrincipal")
    if not who or (req.get("RetiringPrincipal") and req.get("RetiringServicePrincipal")):
        raise _invalid("You must specify either RetiringPrincipal or RetiringServicePrincipal, "
                       "but not both.", "R-KMS-GRANT-17")
    authorize_identity(ctx, "kms:ListRetirableGrants", str(who))
    world = ctx.world
    grants = [g for g in world.peek(GrantsState).live() if g.retiring == who
              and (key := world.key_by_arn(g.key_arn)) is not None and key.region == ctx.region
              and key.state != "Deleted"]
    return _page(grants, req, "kms:ListRetirableGrants")


def _unknown_grant(ctx: CallContext, req: dict, key: Key) -> AwsError:
    """A GrantId naming no live grant of the key (R-KMS-GRANT-22, A-GRANT-UNKNOWN-ID)."""
    if ctx.setting("grant_unknown_id") == "invalid-grant-id":
        return AwsError("InvalidGrantIdException", "The request was rejected because the "
                        "specified GrantId is not valid.", "R-KMS-GRANT-22")
    return AwsError("NotFoundException", f"Grant ID {req['GrantId']} not found for key "
                    f"{key.arn}", "R-KMS-GRANT-22")


def _may_retire(ctx: CallContext, grant: Grant, key: Key | None) -> None:
    """R-KMS-GRANT-19: the retiring principal, the grantee when the grant allows RetireGrant,
    the account it was created in, or a principal a policy lets retire it; a principal of a
    grantee or retiring account whose IAM policy allows it (R-KMS-GRANT-28, -29)."""
    actor, world = ctx.actor, ctx.world
    if actor == grant.retiring or actor == root_arn(grant.account):
        return
    # a grantee or retiring principal that is an account delegates to its IAM principals
    # (R-KMS-GRANT-28, R-KMS-GRANT-29, A-GRANT-ACCOUNT-GRANTEE)
    if "RetireGrant" in grant.operations and \
            represents(world, grant, actor, "kms:RetireGrant", {}) is not None:
        return
    if grant.retiring and not grant.service_retiring and account_allows(
            world, grant.retiring, actor, "kms:RetireGrant", grant.key_arn, {}) is not None:
        return
    if key is not None:
        decision = evaluate(Request(actor, "kms:RetireGrant", key.arn, {}), key.policy,
                            ctx.world.identity_policies(actor))
        if decision.allowed:
            return
    raise AwsError("AccessDeniedException",
                   f"User: {actor} is not authorized to perform: kms:RetireGrant on grant "
                   f"{grant.grant_id}: it is not the grant's retiring principal, nor its grantee "
                   "with RetireGrant, nor its account, and no policy allows it", "R-KMS-GRANT-19")


@operation("kms:RetireGrant")
def retire_grant(ctx: CallContext, req: dict) -> dict:
    """Retire a grant named by its token or by key and GrantId (R-KMS-GRANT-18, -19)."""
    check(req, Param("GrantToken", str, min=1, max=8192),
          Param("KeyId", str, min=1, max=2048), GRANT_ID, DRY_RUN)
    state = ctx.world.peek(GrantsState)
    if req.get("GrantId") or req.get("KeyId"):
        if not (req.get("GrantId") and req.get("KeyId")):
            raise _invalid("To retire a grant without its token, specify both the grant ID and "
                           "a key identifier.", "R-KMS-GRANT-18")
        key = resolve(ctx, req["KeyId"])
        grant = grant_of_request(state, ctx.world, req, ctx.account, ctx.region)
        if grant is None:
            raise _unknown_grant(ctx, req, key)
    elif req.get("GrantToken"):
        grant = grant_of_request(state, ctx.world, req, ctx.account, ctx.region)
        if grant is None:
            raise AwsError("InvalidGrantTokenException", "The request was rejected because the "
                           "specified grant token is not valid.", "R-KMS-GRANT-21")
        key = ctx.world.key_by_arn(grant.key_arn)
    else:
        raise _invalid("To retire a grant, specify its grant token, or both the grant ID and a "
                       "key identifier.", "R-KMS-GRANT-18")
    _may_retire(ctx, grant, key)
    if key is not None:
        require_state(key, "kms:RetireGrant", ctx)
    dry_run(req)  # every KMS DryRun answers alike (R-KMS-ASYM-26)
    _record_window(ctx)
    return {}


@operation("kms:RevokeGrant")
def revoke_grant(ctx: CallContext, req: dict) -> dict:
    """Revoke a grant; needs kms:RevokeGrant on the key (R-KMS-GRANT-20)."""
    check(req, KEY_ID, Param("GrantId", str, required=True, min=1, max=128), DRY_RUN)
    key = resolve(ctx, req["KeyId"])
    authorize(ctx, key, "kms:RevokeGrant")
    require_state(key, "kms:RevokeGrant", ctx)
    if grant_of_request(ctx.world.peek(GrantsState), ctx.world, req, ctx.account,
                        ctx.region) is None:
        raise _unknown_grant(ctx, req, key)
    dry_run(req)  # every KMS DryRun answers alike (R-KMS-ASYM-26)
    _record_window(ctx)
    return {}
