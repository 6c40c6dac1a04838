"""One error type, one status decision (issue 10): ``sim.server.status.http_status`` decides
the HTTP status of every answer, from the service, the code, the named refusal, whether a
control endpoint answers, and the assumptions A-SRV-AUTH-STATUS and A-SRV-REFUSALS.

The table below is the decision; the spy test shows every response path asks it; the
scans show nothing else in ``sim/`` chooses a status.
"""

from __future__ import annotations

import ast
import http
import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from server_support import json_call, raw, running

from sim.errors import AwsError, Refusal
from sim.server import app as app_module
from sim.server import control as control_module
from sim.server import shapes, status
from sim.server.status import http_status

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
STATUS_MODULE = SIM / "server" / "status.py"
HTTP_STATUSES = {int(s) for s in http.HTTPStatus}

SIG, METHOD, ROUTE = Refusal.SIGNATURE, Refusal.METHOD, Refusal.ROUTE
FORBIDDEN = {"srv_auth_status": "forbidden"}
BAD_REQUEST = {"srv_refusals": "bad-request"}
BOTH = {**FORBIDDEN, **BAD_REQUEST}

# (service, code, refusal, control, settings) -> status
TABLE = [
    # modeled statuses (botocore's CloudWatch model), untouched by either assumption
    ("cloudwatch", "ResourceNotFoundException", None, False, {}, 404),
    ("cloudwatch", "ConflictException", None, False, {}, 409),
    ("cloudwatch", "ConflictException", None, False, BOTH, 409),
    ("cloudwatch", "ValidationException", None, False, {}, 400),
    # unmodeled codes: 400 (KMS and Logs model no statuses)
    ("kms", "NotFoundException", None, False, {}, 400),
    ("kms", "ResourceNotFoundException", None, False, {}, 400),
    ("logs", "ResourceNotFoundException", None, False, {}, 400),
    ("sim", "ValidationException", None, False, {}, 400),
    # the server's own codes: R-SRV-05, R-SRV-01, and A-SRV-REFUSALS bad-request
    ("", "LengthRequiredException", None, False, {}, 411),
    ("", "LengthRequiredException", None, False, BAD_REQUEST, 400),
    ("", "RequestEntityTooLargeException", None, False, {}, 413),
    ("kms", "RequestEntityTooLargeException", None, False, BAD_REQUEST, 400),
    ("kms", "UnsupportedMediaTypeException", None, False, {}, 415),
    ("cloudwatch", "UnsupportedMediaTypeException", None, False, BAD_REQUEST, 400),
    ("logs", "SerializationException", None, False, BOTH, 400),
    # kmsim faults and injected faults are 500, which bad-request leaves alone
    ("kms", "InternalFailure", None, False, {}, 500),
    ("kms", "InternalFailure", None, False, BAD_REQUEST, 500),
    ("logs", "ServiceUnavailableException", None, False, {}, 500),
    # UnknownOperationException: the refusal, not the code, decides (R-SRV-02)
    ("", "UnknownOperationException", None, False, {}, 400),
    ("", "UnknownOperationException", ROUTE, False, {}, 404),
    ("", "UnknownOperationException", METHOD, False, {}, 405),
    ("", "UnknownOperationException", METHOD, False, BOTH, 405),
    # signature refusals: awsJson 400 (R-SRV-30..33), CloudWatch's query statuses (R-SRV-34,
    # R-SRV-35), 403 at a control endpoint or with no service addressed (R-SRV-11)
    ("kms", "InvalidSignatureException", SIG, False, {}, 400),
    ("logs", "UnrecognizedClientException", SIG, False, {}, 400),
    ("logs", "MissingAuthenticationTokenException", SIG, False, {}, 400),
    ("kms", "IncompleteSignatureException", SIG, False, {}, 400),
    ("sim", "InvalidSignatureException", SIG, False, {}, 400),
    ("cloudwatch", "InvalidSignatureException", SIG, False, {}, 403),
    ("cloudwatch", "UnrecognizedClientException", SIG, False, {}, 403),
    ("cloudwatch", "MissingAuthenticationTokenException", SIG, False, {}, 403),
    ("cloudwatch", "IncompleteSignatureException", SIG, False, {}, 400),
    ("", "InvalidSignatureException", SIG, True, {}, 403),
    ("", "IncompleteSignatureException", SIG, True, {}, 403),
    ("", "MissingAuthenticationTokenException", SIG, False, {}, 403),
    # A-SRV-AUTH-STATUS forbidden: every signature refusal code 403, nothing else
    ("kms", "InvalidSignatureException", SIG, False, FORBIDDEN, 403),
    ("logs", "UnrecognizedClientException", SIG, False, FORBIDDEN, 403),
    ("cloudwatch", "IncompleteSignatureException", SIG, False, FORBIDDEN, 403),
    ("kms", "SerializationException", None, False, FORBIDDEN, 400),
    ("kms", "AccessDeniedException", None, False, FORBIDDEN, 400),
    # the control endpoints' own codes; they are no API's
    ("", "NotFound", None, True, {}, 404),
    ("", "MethodNotAllowed", None, True, {}, 405),
    ("", "ValidationException", None, True, {}, 400),
    ("", "InternalFailure", None, True, {}, 500),
    ("kms", "NotFound", None, False, {}, 400),
]


@pytest.mark.parametrize(("service", "code", "refusal", "control", "settings", "expected"),
                         TABLE, ids=[f"{r[0] or '-'}:{r[1]}:{r[2] and r[2].value}:"
                                     f"{'ctl' if r[3] else ''}:{','.join(r[4].values())}"
                                     for r in TABLE])
def test_the_status_decision(service, code, refusal, control, settings, expected) -> None:
    assert http_status(service, code, settings, refusal=refusal, control=control) == expected


def test_without_botocore_models_the_fallbacks_decide(monkeypatch) -> None:
    monkeypatch.setattr(shapes, "error_status", lambda service, code: None)
    monkeypatch.setattr(shapes, "service_model", lambda service: None)
    assert http_status("cloudwatch", "ResourceNotFoundException", {}) == 404
    assert http_status("cloudwatch", "ConflictException", {}) == 409
    assert http_status("cloudwatch", "ValidationException", {}) == 400
    assert http_status("kms", "ConflictException", {}) == 400
    assert http_status("cloudwatch", "InvalidSignatureException", {}, refusal=SIG) == 403
    assert http_status("logs", "InvalidSignatureException", {}, refusal=SIG) == 400


def test_a_model_status_wins_over_the_tables(monkeypatch) -> None:
    monkeypatch.setattr(shapes, "error_status",
                        lambda service, code: 429 if code == "SerializationException" else None)
    assert http_status("kms", "SerializationException", {}) == 429
    assert http_status("kms", "UnknownOperationException", {}) == 400


def test_http_servers_own_refusals_stay_4xx() -> None:
    assert [status.http_server_status(s) for s in (400, 414, 431, 501, 505)] == \
        [400, 414, 431, 400, 400]


# -- every response path asks the one decision -----------------------------------------
SPY_STATUS = 299  # no path answers it unless the decision says so


class Spy:
    """Stands in for http_status: records its inputs, answers SPY_STATUS."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Refusal | None, bool]] = []

    def __call__(self, service: str, code: str, settings: object, *,
                 refusal: Refusal | None = None, control: bool = False) -> int:
        self.calls.append((service, code, refusal, control))
        return SPY_STATUS


def _socket(srv, data: bytes) -> bytes:
    parts = urlsplit(srv.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def spy(monkeypatch) -> Spy:
    spy = Spy()
    monkeypatch.setattr(app_module, "http_status", spy)
    monkeypatch.setattr(control_module, "http_status", spy)
    return spy


JSON = {"Content-Type": "application/x-amz-json-1.1"}
CBOR = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}


def test_every_unsigned_answer_path_takes_its_status_from_the_decision(spy) -> None:
    with running() as srv:
        # an event's error (a handler's AwsError, recorded)
        answer = json_call(srv, "TrentService.DescribeKey", {"KeyId": "alias/none"})
        assert answer[0] == SPY_STATUS and spy.calls[-1] == ("kms", "NotFoundException",
                                                             None, False)
        # a body the codec refuses, the parameter check, the concurrent header
        assert raw(srv, "POST", "/", "{bad", {**JSON, "X-Amz-Target": "TrentService.ListKeys"}
                   )[0] == SPY_STATUS
        assert spy.calls[-1] == ("kms", "SerializationException", None, False)
        assert json_call(srv, "TrentService.DescribeKey", {"KeyId": 5})[0] == SPY_STATUS
        assert json_call(srv, "TrentService.ListKeys", {},
                         {"x-kmsim-concurrent": "maybe"})[0] == SPY_STATUS
        assert spy.calls[-1] == ("kms", "ValidationException", None, False)
        # the refusals whose code does not decide: not a POST, an rpc-v2-cbor non-route
        assert raw(srv, "GET", "/")[0] == SPY_STATUS
        assert spy.calls[-1] == ("", "UnknownOperationException", METHOD, False)
        assert raw(srv, "POST", "/service/Nope/operation/X", b"", CBOR)[0] == SPY_STATUS
        assert spy.calls[-1] == ("", "UnknownOperationException", ROUTE, False)
        # framing refused before the body is read
        answer_bytes = _socket(srv, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                               b"chunked\r\n\r\n0\r\n\r\n")
        assert answer_bytes.startswith(f"HTTP/1.1 {SPY_STATUS}".encode())
        assert spy.calls[-1] == ("", "LengthRequiredException", None, False)
        # the control endpoints
        assert raw(srv, "GET", "/_kmsim/nope")[0] == SPY_STATUS
        assert spy.calls[-1] == ("", "NotFound", None, True)
        assert raw(srv, "GET", "/_kmsim/events?after=x")[0] == SPY_STATUS
        assert spy.calls[-1] == ("", "ValidationException", None, True)
        # a kmsim fault
        srv.app.sim.call = _crash
        assert json_call(srv, "TrentService.ListKeys", {})[0] == SPY_STATUS
        assert spy.calls[-1] == ("kms", "InternalFailure", None, False)
        assert [e.op for e in srv.app.sim.events] == ["kms:DescribeKey"]  # the only event


def _crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a kmsim bug")


def test_every_signature_refusal_takes_its_status_from_the_decision(spy) -> None:
    with running(secrets={"AKIDGOOD": "s3cret"}, verify=True) as srv:
        assert json_call(srv, "TrentService.ListKeys", {})[0] == SPY_STATUS
        assert spy.calls[-1] == ("kms", "MissingAuthenticationTokenException", SIG, False)
        body = json.loads(raw(srv, "GET", "/_kmsim/clock")[2])
        assert body["__type"] == "MissingAuthenticationTokenException"
        assert spy.calls[-1] == ("", "MissingAuthenticationTokenException", SIG, True)
        assert srv.app.sim.events == []


# -- nothing else chooses a status ------------------------------------------------------
def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SIM.rglob("*.py"))]


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"


def _is_error_status(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int \
        and 400 <= node.value <= 599


def test_no_aws_error_is_raised_with_a_status() -> None:
    """AwsError(code, message, rule, service, *, refusal): no status, positional or named."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or \
                    getattr(node.func, "id", getattr(node.func, "attr", "")) != "AwsError":
                continue
            if len(node.args) > 4 or any(k.arg not in ("refusal", None) for k in node.keywords) \
                    or any(isinstance(a, ast.Constant) and type(a.value) is int
                           for a in node.args):
                found.append(_where(path, node))
    assert found == []


def test_the_status_module_is_the_only_one_with_a_status_table() -> None:
    """No dict of error statuses outside sim/server/status.py, no status literal in the
    server's other modules, and no status set on an object after the fact."""
    tables, literals, assigned = [], [], []
    for path, tree in _modules():
        if path == STATUS_MODULE:
            continue
        server = path.parent.name == "server"
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and any(_is_error_status(v) for v in node.values):
                tables.append(_where(path, node))
            if server and isinstance(node, ast.Constant) and type(node.value) is int \
                    and node.value in HTTP_STATUSES:
                literals.append(_where(path, node))
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
            assigned += [_where(path, t) for t in targets
                         if isinstance(t, ast.Attribute) and t.attr == "status"]
    assert (tables, literals, assigned) == ([], [], [])


def test_one_error_type() -> None:
    """The server defines no public exception class of its own: every refusal is an
    AwsError (limits.py's private signals never leave its scans)."""
    classes = []
    for path, tree in _modules():
        if path.parent.name != "server":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and any(
                    getattr(b, "id", "").endswith(("Error", "Exception")) for b in node.bases):
                classes.append(f"{_where(path, node)} {node.name}")
    assert classes == []
    assert not hasattr(AwsError("X", "m", None), "status")
