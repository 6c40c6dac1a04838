"""Custom key stores: CreateCustomKeyStore ... DeleteCustomKeyStore, and CreateKey in a store
(R-KMS-CKS-NN). The folds and the connection state are projections/kms/keystores.py."""

from __future__ import annotations

from projections.kms.keystores import (
    CustomKeyStore,
    KeyStoresState,
    find_store,
    keys_in,
)
from sim.errors import AwsError
from sim.params import Param
from sim.services.kms.common import authorize_identity, check, epoch_seconds, kms_list
from sim.services.registry import CallContext, operation

STORE_ID = Param("CustomKeyStoreId", str, required=True, min=1, max=64)
STORE_TYPES = ("AWS_CLOUDHSM", "EXTERNAL_KEY_STORE")
CLUSTER = Param("CloudHsmClusterId", str, min=19, max=24, pattern=r"cluster-[2-7a-zA-Z]{11,16}")
PASSWORD = Param("KeyStorePassword", str, min=7, max=32, sensitive=True)
URI_ENDPOINT = Param("XksProxyUriEndpoint", str, min=10, max=128, pattern=r"^https://[a-zA-Z0-9.-]+$")
URI_PATH = Param("XksProxyUriPath", str, min=10, max=128,
                 pattern=r"^(/[a-zA-Z0-9\/_-]+/kms/xks/v\d{1,2})$|^(/kms/xks/v\d{1,2})$")
VPCE_NAME = Param("XksProxyVpcEndpointServiceName", str, min=20, max=64,
                  pattern=r"^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}\d+\.vpce-svc-[0-9a-z]+$")
VPCE_OWNER = Param("XksProxyVpcEndpointServiceOwner", str, min=12, max=12, pattern=r"[0-9]{12}")
CREDENTIAL = Param("XksProxyAuthenticationCredential", dict)
_CREDENTIAL_MEMBERS = (
    Param("AccessKeyId", str, required=True, min=20, max=30, pattern=r"^[A-Z2-7]+$",
          sensitive=True),
    Param("RawSecretAccessKey", str, required=True, min=43, max=64,
          pattern=r"^[a-zA-Z0-9\/+=]+$", sensitive=True))
CONNECTIVITY = Param("XksProxyConnectivity", str, enum=("PUBLIC_ENDPOINT", "VPC_ENDPOINT_SERVICE"))
XKS_KEY_ID = Param("XksKeyId", str, min=1, max=128, pattern=r"^[a-zA-Z0-9-_.]+$")


def _param_error(ctx: CallContext, message: str, rule: str) -> AwsError:
    """A parameter combination the docs rule out and name no error for (A-CKS-PARAM-ERROR)."""
    code = ("UnsupportedOperationException" if ctx.setting("cks_param_error") == "unsupported"
            else "ValidationException")
    return AwsError(code, message, rule)


def _not_found(store_id: str) -> AwsError:
    return AwsError("CustomKeyStoreNotFoundException",
                    f"Custom key store {store_id} does not exist in this account and Region",
                    "R-KMS-CKS-12")


def _invalid_state(store: CustomKeyStore, op: str, rule: str) -> AwsError:
    return AwsError("CustomKeyStoreInvalidStateException",
                    f"Custom key store {store.store_id} is {store.connection}; {op} is not "
                    "valid in this ConnectionState", rule)


def _store(ctx: CallContext, req: dict) -> CustomKeyStore:
    store = find_store(ctx.world, req["CustomKeyStoreId"], ctx.account, ctx.region)
    if store is None:
        raise _not_found(req["CustomKeyStoreId"])
    return store


def _stores(ctx: CallContext) -> list[CustomKeyStore]:
    return [s for s in ctx.world.peek(KeyStoresState).stores.values()
            if s.account == ctx.account and s.region == ctx.region]


def _check_credential(ctx: CallContext, req: dict) -> None:
    cred = req.get("XksProxyAuthenticationCredential")
    if cred is not None:
        check(cred, *_CREDENTIAL_MEMBERS)


def _unique(ctx: CallContext, req: dict, kind: str, name: str | None,
            skip: str | None = None) -> None:
    """Names, clusters and proxy addresses are unique in the account and Region
    (R-KMS-CKS-03, -04, -21)."""
    for other in _stores(ctx):
        if other.store_id == skip:
            continue
        if name is not None and other.name == name:
            raise AwsError("CustomKeyStoreNameInUseException",
                           f"Custom key store name {name} is already in use", "R-KMS-CKS-03")
        if kind == "AWS_CLOUDHSM" and req.get("CloudHsmClusterId") and \
                other.cluster_id == req["CloudHsmClusterId"]:
            raise AwsError("CloudHsmClusterInUseException",
                           f"CloudHSM cluster {req['CloudHsmClusterId']} is already associated "
                           f"with custom key store {other.store_id}", "R-KMS-CKS-04")
        if kind == "EXTERNAL_KEY_STORE" and other.xks is not None and \
                (req.get("XksProxyUriEndpoint") or req.get("XksProxyUriPath")):
            endpoint = req.get("XksProxyUriEndpoint") or ""
            path = req.get("XksProxyUriPath") or ""
            if (other.xks.get("UriEndpoint"), other.xks.get("UriPath")) == (endpoint, path):
                raise AwsError("XksProxyUriInUseException",
                               f"{endpoint}{path} is already used by custom key store "
                               f"{other.store_id}", "R-KMS-CKS-21")


@operation("kms:CreateCustomKeyStore")
def create_custom_key_store(ctx: CallContext, req: dict) -> dict:
    """A new custom key store, DISCONNECTED (R-KMS-CKS-23), with the parameters of its type
    (R-KMS-CKS-01, -02)."""
    check(req, Param("CustomKeyStoreName", str, required=True, min=1, max=256), CLUSTER,
          Param("TrustAnchorCertificate", str, min=1, max=5000), PASSWORD,
          Param("CustomKeyStoreType", str, enum=STORE_TYPES), URI_ENDPOINT, URI_PATH,
          VPCE_NAME, VPCE_OWNER, CREDENTIAL, CONNECTIVITY)
    _check_credential(ctx, req)
    authorize_identity(ctx, "kms:CreateCustomKeyStore", "*")  # R-KMS-CKS-20
    kind = req.get("CustomKeyStoreType") or "AWS_CLOUDHSM"
    if kind == "AWS_CLOUDHSM":
        needed, rule = ("CloudHsmClusterId", "KeyStorePassword", "TrustAnchorCertificate"), \
            "R-KMS-CKS-01"
    else:
        needed = ("XksProxyConnectivity", "XksProxyAuthenticationCredential",
                  "XksProxyUriEndpoint", "XksProxyUriPath")
        if req.get("XksProxyConnectivity") == "VPC_ENDPOINT_SERVICE":
            needed += ("XksProxyVpcEndpointServiceName",)
        rule = "R-KMS-CKS-02"
    missing = [m for m in needed if not req.get(m)]
    if missing:
        raise _param_error(ctx, f"A custom key store of type {kind} requires "
                           f"{', '.join(missing)}", rule)
    _unique(ctx, req, kind, req["CustomKeyStoreName"])
    if kind == "EXTERNAL_KEY_STORE" and req["XksProxyConnectivity"] == "PUBLIC_ENDPOINT" and \
            ctx.setting("cks_backing") == "unreachable":
        # "this endpoint must be reachable before you create the custom key store"
        raise AwsError("XksProxyUriUnreachableException",
                       f"KMS cannot reach the external key store proxy at "
                       f"{req['XksProxyUriEndpoint']}", "R-KMS-CKS-07")
    return {"CustomKeyStoreId": "cks-" + ctx.draws.bytes("CustomKeyStoreId", 9).hex()[:17]}


def _entry(store: CustomKeyStore) -> dict:
    """A CustomKeyStoresListEntry, members in the model's order, only those that apply."""
    out: dict = {"CustomKeyStoreId": store.store_id, "CustomKeyStoreName": store.name}
    if store.store_type == "AWS_CLOUDHSM":
        out["CloudHsmClusterId"] = store.cluster_id
        out["TrustAnchorCertificate"] = store.trust_anchor
    out["ConnectionState"] = store.connection
    if store.connection == "FAILED" and store.error_code:
        out["ConnectionErrorCode"] = store.error_code
    out["CreationDate"] = epoch_seconds(store.created)
    out["CustomKeyStoreType"] = store.store_type
    if store.xks is not None:
        out["XksProxyConfiguration"] = dict(store.xks)
    return out


@operation("kms:DescribeCustomKeyStores")
def describe_custom_key_stores(ctx: CallContext, req: dict) -> dict:
    """The stores of the account and Region, or the one named (R-KMS-CKS-19)."""
    check(req, Param("CustomKeyStoreId", str, min=1, max=64),
          Param("CustomKeyStoreName", str, min=1, max=256), Param("Limit", int, min=1, max=1000),
          Param("Marker", str, min=1, max=1024, pattern=r"[\u0020-\u00FF]*"))
    authorize_identity(ctx, "kms:DescribeCustomKeyStores", "*")  # R-KMS-CKS-20
    if req.get("CustomKeyStoreId") and req.get("CustomKeyStoreName"):
        raise _param_error(ctx, "Specify either CustomKeyStoreId or CustomKeyStoreName, not "
                           "both", "R-KMS-CKS-19")
    stores = sorted(_stores(ctx), key=lambda s: s.seq)
    if req.get("CustomKeyStoreId"):
        stores = [s for s in stores if s.store_id == req["CustomKeyStoreId"]]
        if not stores:
            raise _not_found(req["CustomKeyStoreId"])
    elif req.get("CustomKeyStoreName"):
        stores = [s for s in stores if s.name == req["CustomKeyStoreName"]]
        if not stores:
            raise _not_found(req["CustomKeyStoreName"])
    out = kms_list("CustomKeyStores", stores, lambda s: s.seq, req, 100,
                   "kms:DescribeCustomKeyStores")
    out["CustomKeyStores"] = [_entry(s) for s in out["CustomKeyStores"]]
    return out


@operation("kms:ConnectCustomKeyStore")
def connect_custom_key_store(ctx: CallContext, req: dict) -> dict:
    """Start connecting (R-KMS-CKS-05); it completes as A-CKS-CONNECTING and A-CKS-BACKING
    say (R-KMS-CKS-06, -07), and then the store's keys are usable again (R-KMS-CKS-11)."""
    check(req, STORE_ID)
    authorize_identity(ctx, "kms:ConnectCustomKeyStore", "*")
    store = _store(ctx, req)
    if store.connection in ("DISCONNECTING", "FAILED"):
        raise _invalid_state(store, "ConnectCustomKeyStore", "R-KMS-CKS-05")
    return {}


@operation("kms:DisconnectCustomKeyStore")
def disconnect_custom_key_store(ctx: CallContext, req: dict) -> dict:
    """DISCONNECTED at once (R-KMS-CKS-13); the store's keys become Unavailable
    (R-KMS-CKS-10)."""
    check(req, STORE_ID)
    authorize_identity(ctx, "kms:DisconnectCustomKeyStore", "*")
    store = _store(ctx, req)
    if store.connection in ("DISCONNECTING", "DISCONNECTED"):
        raise _invalid_state(store, "DisconnectCustomKeyStore", "R-KMS-CKS-13")
    return {}


#: What UpdateCustomKeyStore may change while the store is connected (R-KMS-CKS-14).
_WHILE_CONNECTED = {"AWS_CLOUDHSM": ("NewCustomKeyStoreName",),
                    "EXTERNAL_KEY_STORE": ("NewCustomKeyStoreName", "XksProxyUriPath",
                                           "XksProxyAuthenticationCredential")}
_HSM_ONLY = ("KeyStorePassword", "CloudHsmClusterId")
_XKS_ONLY = ("XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyVpcEndpointServiceName",
             "XksProxyVpcEndpointServiceOwner", "XksProxyAuthenticationCredential",
             "XksProxyConnectivity")


@operation("kms:UpdateCustomKeyStore")
def update_custom_key_store(ctx: CallContext, req: dict) -> dict:
    """Change a store's properties: most only while DISCONNECTED (R-KMS-CKS-14)."""
    check(req, STORE_ID, Param("NewCustomKeyStoreName", str, min=1, max=256), PASSWORD, CLUSTER,
          URI_ENDPOINT, URI_PATH, VPCE_NAME, VPCE_OWNER, CREDENTIAL, CONNECTIVITY)
    _check_credential(ctx, req)
    authorize_identity(ctx, "kms:UpdateCustomKeyStore", "*")
    store = _store(ctx, req)
    other = _XKS_ONLY if store.store_type == "AWS_CLOUDHSM" else _HSM_ONLY
    wrong = [m for m in other if req.get(m) is not None]
    if wrong:
        raise _param_error(ctx, f"{', '.join(wrong)} is not valid for a custom key store of "
                           f"type {store.store_type}", "R-KMS-CKS-14")
    changed = [m for m in ("NewCustomKeyStoreName", *_HSM_ONLY, *_XKS_ONLY)
               if req.get(m) is not None]
    if store.connection != "DISCONNECTED" and \
            any(m not in _WHILE_CONNECTED[store.store_type] for m in changed):
        raise _invalid_state(store, "UpdateCustomKeyStore of "
                             f"{', '.join(changed)}", "R-KMS-CKS-14")
    name = req.get("NewCustomKeyStoreName")
    probe = dict(req)
    if store.xks is not None:  # the address after the change must be unique (R-KMS-CKS-21)
        probe.setdefault("XksProxyUriEndpoint", store.xks.get("UriEndpoint"))
        probe.setdefault("XksProxyUriPath", store.xks.get("UriPath"))
    _unique(ctx, probe, store.store_type, name if name != store.name else None,
            skip=store.store_id)
    return {}


@operation("kms:DeleteCustomKeyStore")
def delete_custom_key_store(ctx: CallContext, req: dict) -> dict:
    """Delete a store that has no keys (R-KMS-CKS-15) and is DISCONNECTED (R-KMS-CKS-16)."""
    check(req, STORE_ID)
    authorize_identity(ctx, "kms:DeleteCustomKeyStore", "*")
    store = _store(ctx, req)
    keys = keys_in(ctx.world, store.store_id)
    if keys:
        raise AwsError("CustomKeyStoreHasCMKsException",
                       f"Custom key store {store.store_id} still contains {len(keys)} KMS "
                       f"key(s), e.g. {keys[0].arn}", "R-KMS-CKS-15")
    if store.connection != "DISCONNECTED":
        raise _invalid_state(store, "DeleteCustomKeyStore", "R-KMS-CKS-16")
    return {}


def new_key_in_store(ctx: CallContext, req: dict, spec: str, origin: str) -> dict | None:
    """CreateKey's custom key store members (R-KMS-CKS-08), None outside a store; refused
    as R-KMS-CKS-09, -12, -17, -18, -22 and R-KMS-57 (multi-Region, not symmetric) say."""
    check(req, Param("CustomKeyStoreId", str, min=1, max=64), XKS_KEY_ID)
    store_id = req.get("CustomKeyStoreId")
    in_store = origin in STORE_TYPES
    if req.get("XksKeyId") and origin != "EXTERNAL_KEY_STORE":
        raise _param_error(ctx, "XksKeyId is valid only with Origin EXTERNAL_KEY_STORE",
                           "R-KMS-CKS-17")
    if not in_store:
        if store_id:
            raise _param_error(ctx, f"CustomKeyStoreId needs Origin AWS_CLOUDHSM or "
                               f"EXTERNAL_KEY_STORE, not {origin}", "R-KMS-CKS-22")
        return None
    if not store_id:
        raise _param_error(ctx, f"Origin {origin} needs a CustomKeyStoreId", "R-KMS-CKS-22")
    if origin == "EXTERNAL_KEY_STORE" and not req.get("XksKeyId"):
        raise _param_error(ctx, "XksKeyId is required with Origin EXTERNAL_KEY_STORE",
                           "R-KMS-CKS-17")
    if req.get("MultiRegion") or spec != "SYMMETRIC_DEFAULT":
        raise AwsError("UnsupportedOperationException",
                       "A custom key store holds only single-Region SYMMETRIC_DEFAULT keys",
                       "R-KMS-57")
    store = find_store(ctx.world, store_id, ctx.account, ctx.region)
    if store is None:
        raise _not_found(store_id)
    if store.store_type != origin:
        raise _param_error(ctx, f"Custom key store {store_id} is of type {store.store_type}, "
                           f"not {origin}", "R-KMS-CKS-22")
    if store.connection != "CONNECTED":
        raise _invalid_state(store, "CreateKey", "R-KMS-CKS-09")
    if origin == "AWS_CLOUDHSM":
        return {"CustomKeyStoreId": store_id, "CloudHsmClusterId": store.cluster_id}
    for key in keys_in(ctx.world, store_id):
        if (key.key_store or {}).get("XksKeyConfiguration", {}).get("Id") == req["XksKeyId"]:
            raise AwsError("XksKeyAlreadyInUseException",
                           f"External key {req['XksKeyId']} is already used by {key.arn}",
                           "R-KMS-CKS-18")
    return {"CustomKeyStoreId": store_id, "XksKeyConfiguration": {"Id": req["XksKeyId"]}}
