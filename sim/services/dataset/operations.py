"""CloudWatch dataset encryption (SPEC 3.3): AssociateDatasetKmsKey,
DisassociateDatasetKmsKey and GetDataset. The data plane is in ``sim.services.dataset.metrics``.

Every check of SPEC 3.3 runs in its documented order and the first failure decides;
a handler only reads the world, so a failure changes nothing (R-DS-13).
"""

from __future__ import annotations

from projections.arns import CLOUDWATCH_PRINCIPAL, dataset_arn
from projections.dataset.fold import (
    DISASSOCIATE_WINDOW,
    caller_context,
    current_key,
    service_context,
)
from projections.decrypt import caller_can_decrypt
from projections.iam.policy import Request, evaluate
from projections.model import Association, Key
from projections.windows import draw_delay
from sim.errors import AwsError
from sim.params import Param, validate
from sim.services.kms.common import denied_message
from sim.services.registry import CallContext, operation

DATASET_IDENTIFIER = Param(
    "DatasetIdentifier", str, required=True, min=1, max=2048,
    pattern=r"(default|arn:[a-zA-Z0-9-]+:cloudwatch:[a-zA-Z0-9-]*:\d{12}:dataset/default)")
KMS_KEY_ARN = Param("KmsKeyArn", str, required=True, min=20, max=2048,
                    pattern=r"arn:[a-zA-Z0-9-]+:kms:[a-zA-Z0-9-]+:\d{12}:key/[a-f0-9-]+")

#: R-DS-08: the service-principal dry runs, in SPEC's order (R-DS-39; "kms:ReEncrypt*" is
#: both halves of a re-encryption).
SERVICE_DRY_RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kms:DescribeKey", ("kms:DescribeKey",)),
    ("kms:GenerateDataKey", ("kms:GenerateDataKey",)),
    ("kms:Encrypt", ("kms:Encrypt",)),
    ("kms:Decrypt", ("kms:Decrypt",)),
    ("kms:ReEncrypt*", ("kms:ReEncryptFrom", "kms:ReEncryptTo")),
)
#: Key states in which api-2026 skips the current key's checks (R-DS-24, R-DS-25).
INACCESSIBLE = ("Deleted", "PendingDeletion", "PendingImport", "Unavailable", "Disabled")
#: A-DS-VALIDATION-CODE's values and the error each answers (R-DS-40).
VALIDATION_CODES = {"validation": "ValidationException",
                    "invalid-parameter-value": "InvalidParameterValueException"}


def _validate(ctx: CallContext, req: dict, *params: Param) -> None:
    # R-DS-10/11 are the documented constraints (the whole value must match); the error
    # code is A-DS-VALIDATION-CODE's (R-DS-40): no seed error list names one.
    rule = "R-DS-40"
    code = VALIDATION_CODES[ctx.setting("ds_validation_code")]
    validate(req, params, code, rule, lower_first=True)  # A-VALIDATION-FORM


def _dataset(ctx: CallContext, req: dict) -> str:
    """The dataset's ARN; an ARN naming another account or region does not exist (R-DS-15)."""
    ident = req["DatasetIdentifier"]
    arn = dataset_arn(ctx.region, ctx.account)
    if ident != "default" and ident != arn:
        raise AwsError("ResourceNotFoundException",
                       f"Dataset {ident} does not exist: the caller's dataset in {ctx.region} "
                       f"is {arn}", "R-DS-15")
    return arn


def _association(ctx: CallContext, arn: str) -> Association | None:
    return ctx.world.associations.get(arn)


def _conflict(ctx: CallContext, assoc: Association | None, result: str | None) -> bool:
    """A-CONFLICT (R-DS-41): True when this is an idempotent repeat that must change nothing.

    Seed 000 lists ConflictException (R-DS-14) but not when it is answered: that is the
    assumption's."""
    if assoc is None or assoc.last_change != ctx.t:
        return False
    if ctx.setting("conflict") == "idempotent" and current_key(assoc) == result:
        return True
    raise AwsError("ConflictException",
                   f"{assoc.resource} was already changed at this instant (event "
                   f"#{assoc.change_seq}); retry the change later", "R-DS-41")


def _service_dry_runs(ctx: CallContext, key: Key) -> None:
    """R-DS-08: cloudwatch.amazonaws.com must be allowed each action, in order (R-DS-39)."""
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

    api-2026 skips it when the key is not accessible (R-DS-24, R-DS-25). Profile seed asks
    for the key enabled and accessible (R-DS-18, R-DS-19): a Deleted key cannot become so,
    and A-DIS-DELETED decides (R-DS-45); any other state that is not Enabled is
    A-DIS-DISABLED's (R-DS-44).
    """
    key = ctx.world.key_by_arn(key_arn)
    state = key.state if key else "Deleted"
    if state in INACCESSIBLE:
        if ctx.profile == "api-2026":
            return
        if state == "Deleted":
            if ctx.setting("dis_deleted") == "proceed":
                return
            raise AwsError("KmsKeyDisabledException",
                           f"The current key {key_arn} is Deleted and cannot be re-enabled or "
                           f"restored, so {op} is refused for good (A-DIS-DELETED = refuse)",
                           "R-DS-45")
        if ctx.setting("dis_disabled") == "proceed":
            return
        raise AwsError("KmsKeyDisabledException",
                       f"The current key {key_arn} is {state}: re-enable or restore it before "
                       f"{op}", "R-DS-44")
    if state != "Enabled":  # pragma: no cover - every non-Enabled state is in INACCESSIBLE
        return
    assert key is not None
    _caller_decrypt(ctx, key, denied[0], denied[1], f"{op} needs kms:Decrypt on the current key")


def _new_key_decrypt(ctx: CallContext, key: Key) -> None:
    """R-DS-09: the caller's kms:Decrypt dry run on the key being associated."""
    _caller_decrypt(ctx, key, "KmsAccessDeniedException", "R-DS-09",
                    "the caller's kms:Decrypt dry run on the new key failed")


@operation("cloudwatch:AssociateDatasetKmsKey")
def associate_dataset_kms_key(ctx: CallContext, req: dict) -> dict:
    """Associate (or replace) the dataset's customer managed key (SPEC 3.3 steps 1-8)."""
    _validate(ctx, req, DATASET_IDENTIFIER, KMS_KEY_ARN)          # 1 (R-DS-10, 11, 40)
    arn = _dataset(ctx, req)                                              # 2 (R-DS-15)
    assoc = _association(ctx, arn)
    key = ctx.world.find_key(req["KmsKeyArn"], ctx.account, ctx.region)
    _conflict(ctx, assoc, key.arn if key else req["KmsKeyArn"])           # R-DS-41
    if key is None or key.state == "Deleted" or key.region != ctx.region:  # 3 (R-DS-12)
        raise AwsError("KmsKeyNotFoundException",
                       f"KMS key {req['KmsKeyArn']} was not found in {ctx.region}", "R-DS-12")
    if key.state != "Enabled":                                            # 4 (R-DS-07)
        raise AwsError("KmsKeyDisabledException",
                       f"KMS key {key.arn} is {key.state}; re-enable (or restore) it and retry",
                       "R-DS-07")
    if not key.symmetric:                                         # 5 (R-DS-06, R-DS-38)
        if ctx.setting("symmetric") == "kms-access-denied":
            raise AwsError("KmsAccessDeniedException",
                           f"{CLOUDWATCH_PRINCIPAL} cannot perform kms:GenerateDataKey with "
                           f"{key.arn}: it is {key.spec}/{key.usage}", "R-DS-38")
        raise AwsError("ValidationException",
                       f"KMS key {key.arn} is {key.spec}/{key.usage}; only SYMMETRIC_DEFAULT "
                       "ENCRYPT_DECRYPT keys are supported", "R-DS-38")
    _service_dry_runs(ctx, key)                                           # 6 (R-DS-08)
    current = current_key(assoc)
    # 7: the caller's dry runs. seed: the current key first, then the new key (R-DS-05);
    # api-2026 runs both (R-DS-36) in A-DS-REPLACE-ORDER's order (R-DS-37).
    new_first = ctx.profile == "api-2026" and ctx.setting("ds_replace_order") == "new-first"
    if new_first:
        _new_key_decrypt(ctx, key)
    if current is not None:
        _current_key_checks(ctx, current, "replacing the dataset's key",
                            ("KmsAccessDeniedException",
                             "R-DS-36" if ctx.profile == "api-2026" else "R-DS-05"))
    if not new_first:
        _new_key_decrypt(ctx, key)
    return {}  # 8: the fold makes the change (none for an idempotent repeat)


@operation("cloudwatch:DisassociateDatasetKmsKey")
def disassociate_dataset_kms_key(ctx: CallContext, req: dict) -> dict:
    """Remove the dataset's customer managed key; a 3-hour window follows (R-DS-20)."""
    _validate(ctx, req, DATASET_IDENTIFIER)                               # R-DS-11, 40
    arn = _dataset(ctx, req)                                              # R-DS-15
    assoc = _association(ctx, arn)
    if _conflict(ctx, assoc, None):                                       # R-DS-41
        return {}
    current = current_key(assoc)
    if current is None:                                                   # R-DS-17
        raise AwsError("ResourceNotFoundException",
                       f"Dataset {arn} has no customer managed KMS key associated", "R-DS-17")
    if ctx.profile == "api-2026":                                         # R-DS-26
        denied = ("AccessDeniedException", "R-DS-26")
    elif ctx.setting("dis_denied") == "access-denied":             # R-DS-18, R-DS-43
        denied = ("AccessDeniedException", "R-DS-43")
    else:
        denied = ("KmsAccessDeniedException", "R-DS-43")
    _current_key_checks(ctx, current, "disassociating the dataset's key", denied)
    delay = draw_delay(ctx.setting("propagation"), DISASSOCIATE_WINDOW, ctx.seq)
    if delay is not None:  # random:SEED: the event records when the change takes effect
        ctx.draws.record("delay", delay)
    return {}


@operation("cloudwatch:GetDataset")
def get_dataset(ctx: CallContext, req: dict) -> dict:
    """The dataset's DatasetId and Arn, and KmsKeyArn while a customer key is associated."""
    _validate(ctx, req, DATASET_IDENTIFIER)                               # R-DS-11, 40
    arn = _dataset(ctx, req)                                              # R-DS-03, R-DS-15
    out = {"DatasetId": "default", "Arn": arn}
    key = current_key(_association(ctx, arn))
    if key is not None:                                                   # R-DS-27
        out["KmsKeyArn"] = key
    return out


# The data plane registers its operations on import.
from sim.services.dataset import metrics  # noqa: E402, F401
