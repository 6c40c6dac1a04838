"""Custom key stores (CloudHSM and external key stores) and what their connection state does
to their keys (R-KMS-CKS-NN).

A store is DISCONNECTED when created; ConnectCustomKeyStore makes it CONNECTING, then
CONNECTED (or FAILED, A-CKS-BACKING) after A-CKS-CONNECTING's delay; DisconnectCustomKeyStore
makes it DISCONNECTED at once. While a store is not CONNECTED its Enabled and Disabled keys
are Unavailable; when it connects they return to the state they had (R-KMS-CKS-10, -11).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.record import Event
from events.timefmt import parse_duration
from projections.model import Key
from projections.world import Timer, World, folds, on_timer


@dataclass
class CustomKeyStore:
    """One custom key store, with the members DescribeCustomKeyStores shows."""

    store_id: str
    account: str
    region: str
    name: str
    store_type: str
    created: int
    seq: int
    connection: str = "DISCONNECTED"
    error_code: str | None = None
    cluster_id: str | None = None
    trust_anchor: str | None = None
    #: XksProxyConfiguration as DescribeCustomKeyStores shows it (external key stores).
    xks: dict | None = None
    #: The event of the ConnectCustomKeyStore in progress (its timer checks it).
    connecting_seq: int | None = None


@dataclass
class KeyStoresState:
    """Every custom key store of the world, by CustomKeyStoreId."""

    stores: dict[str, CustomKeyStore] = field(default_factory=dict)


def find_store(world: World, store_id: str, account: str, region: str) -> CustomKeyStore | None:
    """The store with this id in the account and Region (stores are regional)."""
    store = world.peek(KeyStoresState).stores.get(store_id)
    if store is None or store.account != account or store.region != region:
        return None
    return store


def keys_in(world: World, store_id: str) -> list[Key]:
    """The keys of a store that are not Deleted."""
    return [k for k in world.keys.values()
            if k.key_store is not None and k.key_store.get("CustomKeyStoreId") == store_id
            and k.state != "Deleted"]


def connect_delay(setting: str) -> int | None:
    """A-CKS-CONNECTING: how long CONNECTING lasts (None: the store connects at once)."""
    return None if setting == "instant" else parse_duration(setting.removeprefix("fixed:"))


def connect_result(store: CustomKeyStore, backing: str) -> tuple[str, str | None]:
    """Where a connection attempt ends under A-CKS-BACKING: (ConnectionState,
    ConnectionErrorCode) (R-KMS-CKS-06)."""
    if backing == "available":
        return "CONNECTED", None
    return "FAILED", ("NETWORK_ERRORS" if store.store_type == "AWS_CLOUDHSM"
                      else "XKS_PROXY_NOT_REACHABLE")


def adopt(key: Key, meta: dict) -> None:
    """A new key's custom key store members, as CreateKey answered them (R-KMS-CKS-08)."""
    if meta.get("CustomKeyStoreId"):
        key.key_store = {m: meta[m] for m in ("CustomKeyStoreId", "CloudHsmClusterId",
                                             "XksKeyConfiguration") if m in meta}


@folds("kms:CreateCustomKeyStore")
def _create(world: World, event: Event) -> None:
    req = event.req
    kind = req.get("CustomKeyStoreType") or "AWS_CLOUDHSM"
    store = CustomKeyStore(event.res["CustomKeyStoreId"], event.account, event.region,
                           req["CustomKeyStoreName"], kind, event.t, event.seq)
    if kind == "AWS_CLOUDHSM":
        store.cluster_id = req.get("CloudHsmClusterId")
        store.trust_anchor = req.get("TrustAnchorCertificate")
    else:
        store.xks = xks_configuration(req, event.account)
    world.state(KeyStoresState).stores[store.store_id] = store


def xks_configuration(req: dict, account: str, old: dict | None = None) -> dict:
    """XksProxyConfiguration from a Create/UpdateCustomKeyStore request (``old``: the store's
    configuration an update starts from); the secret access key is not shown."""
    conf = dict(old or {})
    for member, name in (("XksProxyConnectivity", "Connectivity"),
                         ("XksProxyUriEndpoint", "UriEndpoint"), ("XksProxyUriPath", "UriPath"),
                         ("XksProxyVpcEndpointServiceName", "VpcEndpointServiceName"),
                         ("XksProxyVpcEndpointServiceOwner", "VpcEndpointServiceOwner")):
        if req.get(member) is not None:
            conf[name] = req[member]
    cred = req.get("XksProxyAuthenticationCredential")
    if cred:
        conf["AccessKeyId"] = cred["AccessKeyId"]
    if conf.get("Connectivity") == "VPC_ENDPOINT_SERVICE":
        conf.setdefault("VpcEndpointServiceOwner", account)
    else:  # only a VPC endpoint service connection shows these members
        conf.pop("VpcEndpointServiceName", None)
        conf.pop("VpcEndpointServiceOwner", None)
    order = ("Connectivity", "AccessKeyId", "UriEndpoint", "UriPath", "VpcEndpointServiceName",
             "VpcEndpointServiceOwner")
    return {m: conf[m] for m in order if m in conf}


def _store(world: World, event: Event) -> CustomKeyStore:
    store = world.state(KeyStoresState).stores.get(str(event.req["CustomKeyStoreId"]))
    if store is None:
        raise LookupError(f"event #{event.seq}: custom key store "
                          f"{event.req['CustomKeyStoreId']!r} not in the world")
    return store


def _finish_connect(world: World, store: CustomKeyStore, t: int, seq: int | None,
                    note: str) -> None:
    store.connection, store.error_code = connect_result(store, world.setting("cks_backing"))
    store.connecting_seq = None
    if store.connection != "CONNECTED":
        return
    for key in keys_in(world, store.store_id):
        if key.state == "Unavailable":
            world.key_event(key, "store_connected", t, seq, note)


@folds("kms:ConnectCustomKeyStore")
def _connect(world: World, event: Event) -> None:
    store = _store(world, event)
    if store.connection in ("CONNECTED", "CONNECTING"):
        return  # valid, and nothing to do (R-KMS-CKS-05)
    delay = connect_delay(world.setting("cks_connecting"))
    if delay is None:
        _finish_connect(world, store, event.t, event.seq, event.op)
        return
    store.connection, store.error_code = "CONNECTING", None
    store.connecting_seq = event.seq
    world.schedule(event.t + delay, "cks-connected", store.store_id, event.seq, event.seq)


@on_timer("cks-connected", priority=2)
def _connected(world: World, timer: Timer) -> None:
    store = world.state(KeyStoresState).stores.get(timer.target)
    if store is None or store.connection != "CONNECTING" or store.connecting_seq != timer.token:
        return  # disconnected or deleted meanwhile
    _finish_connect(world, store, timer.due, None,
                    f"ConnectCustomKeyStore event #{timer.seq} completed")


@folds("kms:DisconnectCustomKeyStore")
def _disconnect(world: World, event: Event) -> None:
    store = _store(world, event)
    store.connection, store.error_code, store.connecting_seq = "DISCONNECTED", None, None
    for key in keys_in(world, store.store_id):
        if key.state in ("Enabled", "Disabled"):
            key.was_enabled = key.state == "Enabled"
            world.key_event(key, "store_disconnected", event.t, event.seq, event.op)


@folds("kms:UpdateCustomKeyStore")
def _update(world: World, event: Event) -> None:
    store = _store(world, event)
    req = event.req
    if req.get("NewCustomKeyStoreName"):
        store.name = req["NewCustomKeyStoreName"]
    if store.store_type == "AWS_CLOUDHSM":
        if req.get("CloudHsmClusterId"):
            store.cluster_id = req["CloudHsmClusterId"]
            for key in keys_in(world, store.store_id):  # KeyMetadata shows the store's cluster
                if key.key_store is not None:
                    key.key_store = {**key.key_store, "CloudHsmClusterId": store.cluster_id}
    else:
        store.xks = xks_configuration(req, event.account, store.xks)


@folds("kms:DeleteCustomKeyStore")
def _delete(world: World, event: Event) -> None:
    world.state(KeyStoresState).stores.pop(str(event.req["CustomKeyStoreId"]), None)
