"""CloudWatch dataset encryption (SPEC 3.3): AssociateDatasetKmsKey,
DisassociateDatasetKmsKey and GetDataset. The data plane is in ``cloudwatch_metrics``.

Every check of SPEC 3.3 runs in its documented order and the first failure decides;
a handler only reads the world, so a failure changes nothing (R-DS-13).
"""

from __future__ import annotations

from projections.arns import CLOUDWATCH_PRINCIPAL, dataset_arn
from projections.dataset_fold import (
    DISASSOCIATE_WINDOW,
    caller_context,
    current_key,
    service_context,
)
from projections.decrypt import caller_can_decrypt
from projections.model import Association, Key
from projections.policy import Request, evaluate
from projections.windows import draw_delay
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.kms_common import denied_message
from sim.services.registry import CallContext, operation

DATASET_IDENTIFIER = Param(
    "DatasetIdentifier", str, required=True, min=1, max=2048,
    pattern=r"(default|arn:[a-zA-Z0-9-]+:cloudwatch:[a-zA-Z0-9-]*:\d{12}:dataset/default)")
KMS_KEY_ARN = Param("KmsKeyArn", str, required=True, min=20, max=2048,
                    pattern=r"arn:[a-zA-Z0-9-]+:kms:[a-zA-Z0-9-]+:\d{12}:key/[a-f0-9-]+")

#: R-DS-08: the service-principal dry runs, in the seed's order ("kms:ReEncrypt*" is both
#: halves of a re-encryption).
SERVICE_DRY_RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kms:DescribeKey", ("kms:DescribeKey",)),
    ("kms:GenerateDataKey", ("kms:GenerateDataKey",)),
    ("kms:Encrypt", ("kms:Encrypt",)),
    ("kms:Decrypt", ("kms:Decrypt",)),
    ("kms:ReEncrypt*", ("kms:ReEncryptFrom", "kms:ReEncryptTo")),
)
#: Key states in which api-2026 skips the current key's checks (R-DS-24, R-DS-25).
INACCESSIBLE = ("Deleted", "PendingDeletion", "PendingImport", "Unavailable", "Disabled")


def _validate(req: dict, *params: Param) -> None:
    # R-DS-10/11: the whole value must match the documented pattern.
    rule = "R-DS-10" if any(p.name == "KmsKeyArn" and isinstance(req.get("KmsKeyArn"), str)
                            and p.check(req["KmsKeyArn"]) for p in params) else "R-DS-11"
    validate(req, params, "ValidationException", rule)


def _dataset(ctx: CallContext, req: dict) -> str:
    """The dataset's ARN; an ARN naming another account or region does not exist (R-DS-15)."""
    ident = req["DatasetIdentifier"]
    arn = dataset_arn(ctx.region, ctx.account)
    if ident != "default" and ident != arn:
        raise AwsError("ResourceNotFoundException",
                       f"Dataset {ident} does not exist: the caller's dataset in {ctx.region} "
                       f"is {arn}", "R-DS-15", 404)
    return arn


def _association(ctx: CallContext, arn: str) -> Association | None:
    return ctx.world.associations.get(arn)


def _conflict(ctx: CallContext, assoc: Association | None, result: str | None) -> bool:
    """A-CONFLICT (R-DS-14): True when this is an idempotent repeat that must change nothing."""
    if assoc is None or assoc.last_change != ctx.t:
        return False
    if ctx.setting("conflict") == "idempotent" and current_key(assoc) == result:
        return True
    raise AwsError("ConflictException",
                   f"{assoc.resource} was already changed at this instant (event "
                   f"#{assoc.change_seq}); retry the change later", "R-DS-14", 409)


def _service_dry_runs(ctx: CallContext, key: Key) -> None:
    """R-DS-08: cloudwatch.amazonaws.com must be allowed each action, in order."""
    context = service_context(ctx.account, ctx.region)
    for shown, actions in SERVICE_DRY_RUNS:
        for action in actions:
            decision = evaluate(Request(CLOUDWATCH_PRINCIPAL, action, key.arn, context),
                                key.policy)
            if not decision.allowed:
                raise AwsError(
                    "KmsAccessDeniedException",
                    f"The key policy of {key.arn} does not allow {CLOUDWATCH_PRINCIPAL} to "
                    f"perform {shown} ({action}: {decision.reason})", "R-DS-08")


def _caller_decrypt(ctx: CallContext, key: Key, code: str, rule: str, what: str) -> None:
    """The caller's kms:Decrypt dry run on ``key``."""
    decision = caller_can_decrypt(ctx.world, key, ctx.actor, caller_context(ctx.actor))
    if not decision.allowed:
        raise AwsError(code, f"{what}: " + denied_message(ctx.actor, "kms:Decrypt", key.arn,
                                                          decision), rule)


def _current_key_checks(ctx: CallContext, key_arn: str, op: str, denied: tuple[str, str]
                        ) -> None:
    """The caller's dry run on the current key of a replace or a disassociate.

    api-2026 skips it when the key is not accessible (R-DS-24, R-DS-25); seed refuses a key
    that is not Enabled (R-DS-19, A-DIS-DISABLED) unless the assumption says 'proceed'.
    """
    key = ctx.world.key_by_arn(key_arn)
    state = key.state if key else "Deleted"
    if state in INACCESSIBLE:
        if ctx.profile == "api-2026" or ctx.setting("dis_disabled") == "proceed":
            return
        fix = ("a Deleted key cannot come back (A-DIS-DISABLED)" if state == "Deleted"
               else f"re-enable or restore it before {op}")
        raise AwsError("KmsKeyDisabledException",
                       f"The current key {key_arn} is {state}: {fix}", "R-DS-19")
    if state != "Enabled":  # pragma: no cover - every non-Enabled state is in INACCESSIBLE
        return
    assert key is not None
    _caller_decrypt(ctx, key, denied[0], denied[1], f"{op} needs kms:Decrypt on the current key")


@operation("cloudwatch:AssociateDatasetKmsKey")
def associate_dataset_kms_key(ctx: CallContext, req: dict) -> dict:
    """Associate (or replace) the dataset's customer managed key (SPEC 3.3 steps 1-8)."""
    _validate(req, DATASET_IDENTIFIER, KMS_KEY_ARN)                       # 1 (R-DS-10, 11)
    arn = _dataset(ctx, req)                                              # 2 (R-DS-15)
    assoc = _association(ctx, arn)
    key = ctx.world.find_key(req["KmsKeyArn"], ctx.account, ctx.region)
    _conflict(ctx, assoc, key.arn if key else req["KmsKeyArn"])           # R-DS-14
    if key is None or key.state == "Deleted" or key.region != ctx.region:  # 3 (R-DS-12)
        raise AwsError("KmsKeyNotFoundException",
                       f"KMS key {req['KmsKeyArn']} was not found in {ctx.region}", "R-DS-12")
    if key.state != "Enabled":                                            # 4 (R-DS-07)
        raise AwsError("KmsKeyDisabledException",
                       f"KMS key {key.arn} is {key.state}; re-enable (or restore) it and retry",
                       "R-DS-07")
    if not key.symmetric:                                                 # 5 (R-DS-06)
        if ctx.setting("symmetric") == "kms-access-denied":
            raise AwsError("KmsAccessDeniedException",
                           f"{CLOUDWATCH_PRINCIPAL} cannot perform kms:GenerateDataKey with "
                           f"{key.arn}: it is {key.spec}/{key.usage}", "R-DS-06")
        raise AwsError("ValidationException",
                       f"KMS key {key.arn} is {key.spec}/{key.usage}; only SYMMETRIC_DEFAULT "
                       "ENCRYPT_DECRYPT keys are supported", "R-DS-06")
    _service_dry_runs(ctx, key)                                           # 6 (R-DS-08)
    current = current_key(assoc)
    if current is not None:                                               # 7 (R-DS-05)
        _current_key_checks(ctx, current, "replacing the dataset's key",
                            ("KmsAccessDeniedException", "R-DS-05"))
    _caller_decrypt(ctx, key, "KmsAccessDeniedException", "R-DS-09",
                    "the caller's kms:Decrypt dry run on the new key failed")
    return {}  # 8: the fold makes the change (none for an idempotent repeat)


@operation("cloudwatch:DisassociateDatasetKmsKey")
def disassociate_dataset_kms_key(ctx: CallContext, req: dict) -> dict:
    """Remove the dataset's customer managed key; a 3-hour window follows (R-DS-20)."""
    _validate(req, DATASET_IDENTIFIER)                                    # R-DS-11
    arn = _dataset(ctx, req)                                              # R-DS-15
    assoc = _association(ctx, arn)
    if _conflict(ctx, assoc, None):                                       # R-DS-14
        return {}
    current = current_key(assoc)
    if current is None:                                                   # R-DS-17
        raise AwsError("ResourceNotFoundException",
                       f"Dataset {arn} has no customer managed KMS key associated", "R-DS-17",
                       404)
    if ctx.profile == "api-2026":                                         # R-DS-26
        denied = ("AccessDeniedException", "R-DS-26")
    elif ctx.setting("dis_denied") == "access-denied":                    # R-DS-18
        denied = ("AccessDeniedException", "R-DS-18")
    else:
        denied = ("KmsAccessDeniedException", "R-DS-18")
    _current_key_checks(ctx, current, "disassociating the dataset's key", denied)
    delay = draw_delay(ctx.setting("propagation"), DISASSOCIATE_WINDOW, ctx.seq)
    if delay is not None:  # random:SEED: the event records when the change takes effect
        ctx.draws.record("delay", delay)
    return {}


@operation("cloudwatch:GetDataset")
def get_dataset(ctx: CallContext, req: dict) -> dict:
    """The dataset's DatasetId and Arn, and KmsKeyArn while a customer key is associated."""
    _validate(req, DATASET_IDENTIFIER)                                    # R-DS-11
    arn = _dataset(ctx, req)                                              # R-DS-03, R-DS-15
    out = {"DatasetId": "default", "Arn": arn}
    key = current_key(_association(ctx, arn))
    if key is not None:                                                   # R-DS-27
        out["KmsKeyArn"] = key
    return out


# The data plane registers its operations on import.
from sim.services import cloudwatch_metrics  # noqa: E402, F401
