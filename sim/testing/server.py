"""A threaded ``kmsim serve`` for code that needs a URL (SPEC 12: ``simulated_server()``
yields one): the same app, codecs and handlers as ``kmsim serve``, on a free loopback port,
in the test's own process, stopped (and its log flushed) when the ``with`` block ends::

    with simulated_server() as url:
        kms = boto3.client("kms", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="AKIDADMIN", aws_secret_access_key="x")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        url.advance("7d")                      # POST /_kmsim/clock {"advance": "7d"}
        url.reset()                            # POST /_kmsim/reset: a fresh timeline

The URL is a ``str`` (``endpoint_url=url`` works) with the server's control endpoints as
methods and the in-process Simulator as ``url.sim``. For a server started elsewhere (a
``kmsim serve`` process, a shared fixture), :func:`reset_server`, :func:`advance_server`
and :func:`set_server_time` call the same endpoints by URL.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TextIO

from sim.server import AuthConfig, KmsimApp, RunningServer
from sim.simulator import DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_START, Simulator

#: Seconds to wait for a control answer (a reset waits for a call in progress).
TIMEOUT = 30.0


class ServerError(Exception):
    """A control endpoint refused a request: its URL, HTTP status and message."""


class ServerUrl(str):
    """The endpoint URL of a :func:`simulated_server`, with its control endpoints."""

    server: RunningServer

    def __new__(cls, server: RunningServer) -> ServerUrl:
        """The URL of ``server``."""
        url = super().__new__(cls, server.url)
        url.server = server
        return url

    @property
    def sim(self) -> Simulator:
        """The Simulator serving now (a reset replaces it)."""
        return self.server.app.sim

    def reset(self) -> dict:
        """A fresh timeline with the same flags (``POST /_kmsim/reset``, R-SRV-15)."""
        return reset_server(self)

    def advance(self, duration: str) -> str:
        """Move the server's clock forward by ``duration`` (``5m``); the new now."""
        return advance_server(self, duration)

    def set_time(self, when: str) -> str:
        """Move the server's clock to ``when`` (RFC 3339, ``+7d``, ``#N``); the new now."""
        return set_server_time(self, when)

    def now(self) -> str:
        """The server's simulated now (RFC 3339)."""
        return str(control(self, "/_kmsim/clock")["now"])


@contextlib.contextmanager
def simulated_server(*, log: str | Path | None = None, clock: str = "sim",
                     speed: float = 1.0, principals: Mapping[str, str] | None = None,
                     secrets: Mapping[str, str] | None = None, start: str = DEFAULT_START,
                     account: str = DEFAULT_ACCOUNT, region: str = DEFAULT_REGION,
                     profile: str = "seed", assumptions: Mapping[str, str] | None = None,
                     seed: int = 0, host: str = "127.0.0.1", port: int = 0,
                     request_log: TextIO | None = None) -> Iterator[ServerUrl]:
    """A ``kmsim serve`` on a background thread; yields its URL (:class:`ServerUrl`).

    The options are ``kmsim serve``'s: ``log`` (a new log file, for every time-travel verb
    afterwards), ``clock`` ``sim`` or ``wall`` (and ``speed``), ``principals`` (access key
    id -> principal ARN; others are the account root), ``secrets`` (access key id ->
    secret: given, signatures are verified), ``start``, ``account``, ``region``,
    ``profile``, ``assumptions`` (``{"propagation": "instant"}``), ``port`` (0: any free
    one) and ``request_log`` (a stream for ``-v``'s line per request).
    """
    sim = Simulator(start=start, account=account, region=region, profile=profile,
                    assumptions=dict(assumptions or {}), seed=seed, log=log,
                    name="kmsim simulated_server")
    auth = AuthConfig(account, region, dict(principals or {}), dict(secrets or {}),
                      verify=bool(secrets))
    try:
        app = KmsimApp(sim, auth, clock, speed, request_log=request_log)
        server = RunningServer(app, host, port)
    except BaseException:
        sim.close()  # nothing serves it: release the log
        raise
    with server:
        yield ServerUrl(server)


def control(url: str, path: str, body: dict | None = None) -> dict:
    """One request to a control endpoint of the server at ``url`` (GET without ``body``,
    else POST); its JSON answer, or :class:`ServerError`."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url.rstrip("/") + path, data=data,
                                     method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        text = exc.read().decode("utf-8", "replace")
        try:
            message = json.loads(text).get("message", text)
        except ValueError:
            message = text
        raise ServerError(f"{url}{path}: HTTP {exc.code}: {message}") from None
    except urllib.error.URLError as exc:
        raise ServerError(f"{url}{path}: {exc.reason}") from None


def reset_server(url: str) -> dict:
    """``POST /_kmsim/reset``: the server at ``url`` starts a fresh timeline with the same
    flags (R-SRV-15); the reset document (``events_before``, ``previous_log``, ``now``)."""
    return control(url, "/_kmsim/reset", {})


def advance_server(url: str, duration: str) -> str:
    """Move the clock of the server at ``url`` forward by ``duration``; the new now."""
    return str(control(url, "/_kmsim/clock", {"advance": duration})["now"])


def set_server_time(url: str, when: str) -> str:
    """Move the clock of the server at ``url`` to ``when``; the new now."""
    return str(control(url, "/_kmsim/clock", {"set": when})["now"])
