"""``simulated_aws``: moto's shape (context manager, decorator of functions and test
classes, ``start()``/``stop()``) around an in-process ``kmsim serve`` (SPEC 12).

While one is active, every botocore client of ``kms``, ``logs`` and ``cloudwatch`` is
answered by its :class:`~sim.server.app.KmsimApp` (see :mod:`sim.testing.hooks`): no
network, no ``endpoint_url``, the server's bytes. Each start is a fresh timeline.
Callers are principals by access key id, as with ``kmsim serve --principal AKID=ARN``:
``principals={"AKID": ARN}``, or :meth:`SimulatedAws.principal` with ``access_key=``;
any other key is the account root.

Clock: ``clock="sim"`` (default) moves only when the test says (``advance``,
``set_time``) and by 1 ms per request (R-SRV-12); ``clock="wall"`` follows the wall
clock (``time.time``) from the moment it starts (``start`` defaults to that moment,
R-TEST-04), so freezegun's ``freeze_time(...)`` with ``tick()`` moves it; it never goes
back.
A call to another service raises :class:`~sim.testing.NotSimulated` (R-TEST-03).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import os
import unittest
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from projections.arns import root_arn
from projections.rulebook import resolve_settings, setting
from sim.clock import wall_now_ms
from sim.server.app import KmsimApp
from sim.server.auth import AuthConfig
from sim.server.protocols import HttpRequest, HttpResponse
from sim.simulator import DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_START, Simulator
from sim.testing.handle import Handle
from sim.testing.hooks import ROUTER

F = TypeVar("F", bound=Callable[..., Any])
#: The access key id and secret a client gets when it names none (the account root).
DEFAULT_ACCESS_KEY = "AKIDKMSIMTEST"
DEFAULT_SECRET = "kmsim-test-secret"


class SimulatedAws(Handle):
    """An in-process simulation: the context manager, the decorator and the handle."""

    def __init__(self, *, start: str | int | None = None, clock: str = "sim",
                 speed: float = 1.0, account: str = DEFAULT_ACCOUNT,
                 region: str = DEFAULT_REGION, profile: str = "seed",
                 assumptions: Mapping[str, str] | None = None, seed: int = 0,
                 principals: Mapping[str, str] | None = None,
                 passthrough: bool | str | tuple[str, ...] | frozenset[str] | None = None,
                 verify_signatures: bool = False,
                 secrets: Mapping[str, str] | None = None,
                 credentials: bool = True) -> None:
        """Options as ``kmsim serve``'s flags. ``passthrough``: let calls of other
        services go on (True, or their botocore service ids, e.g. ``{"s3"}``) instead of
        raising :class:`~sim.testing.NotSimulated` (R-TEST-03; None: as
        A-TEST-OTHER-SERVICES says, ``assumptions={"test_other_services":
        "passthrough"}``). ``credentials``: while active, set
        ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` to kmsim's test key (the account
        root) and ``AWS_DEFAULT_REGION`` when unset, as moto does."""
        self.options = {"start": start, "account": account, "region": region,
                        "profile": profile, "assumptions": dict(assumptions or {}),
                        "seed": seed}
        self.clock_mode, self.speed = clock, speed
        self.principals = dict(principals or {})
        self.secrets = {DEFAULT_ACCESS_KEY: DEFAULT_SECRET, **dict(secrets or {})}
        self.verify = verify_signatures
        if isinstance(passthrough, str):
            passthrough = (passthrough,)
        self._passthrough = passthrough if passthrough is None or isinstance(
            passthrough, bool) else frozenset(passthrough)
        self.credentials = credentials
        self._saved_env: dict[str, str | None] | None = None
        self._app: KmsimApp | None = None

    @property
    def passthrough(self) -> bool | frozenset[str]:
        """The other services let through: all (True), these, or none (R-TEST-03)."""
        if self._passthrough is not None:
            return self._passthrough
        return setting(self.app.sim.settings, "test_other_services") == "passthrough"

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def app(self) -> KmsimApp:  # type: ignore[override]
        """The in-process server (its Simulator is :attr:`sim`)."""
        if self._app is None:
            raise RuntimeError("this simulated_aws is not started: use it as `with "
                               "simulated_aws() as aws:`, a decorator, or call start()")
        return self._app

    @property
    def active(self) -> bool:
        """Whether it answers requests now."""
        return self._app is not None and ROUTER.current is self

    def start(self, reset: bool = True) -> SimulatedAws:
        """Begin answering (a fresh timeline unless ``reset=False`` and it ran before)."""
        if self._app is None or reset:
            self._app = self._new_app()
        if self.credentials and self._saved_env is None:
            self._saved_env = {name: os.environ.get(name) for name in _ENV}
            os.environ["AWS_ACCESS_KEY_ID"] = DEFAULT_ACCESS_KEY
            os.environ["AWS_SECRET_ACCESS_KEY"] = DEFAULT_SECRET
            os.environ.pop("AWS_SESSION_TOKEN", None)
            os.environ.setdefault("AWS_DEFAULT_REGION", self.options["region"])
        ROUTER.push(self)
        return self

    def stop(self) -> None:
        """Stop answering (the timeline stays readable until the next start)."""
        ROUTER.remove(self)
        if self._saved_env is not None:
            for name, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._saved_env = None

    def reset(self) -> None:
        """A fresh timeline with the same options, at once (``POST /_kmsim/reset``)."""
        self._app = self._new_app()

    def _new_app(self) -> KmsimApp:
        opts = dict(self.options)
        if opts["start"] is None:
            settings = resolve_settings(opts["profile"], opts["assumptions"].items())
            wall = self.clock_mode == "wall" and \
                setting(settings, "test_wall_start") == "wall-now"  # R-TEST-04
            opts["start"] = wall_now_ms() if wall else DEFAULT_START
        sim = Simulator(**opts)
        auth = AuthConfig(sim.account, sim.region, dict(self.principals), dict(self.secrets),
                          self.verify)
        return KmsimApp(sim, auth, self.clock_mode, self.speed)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The server's answer to one request (the router calls it)."""
        return self.app.handle(request)

    def __enter__(self) -> SimulatedAws:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __call__(self, target: F) -> F:
        """Decorate a function (a fresh timeline per call) or every test of a class."""
        if inspect.isclass(target):
            return self._decorate_class(target)  # type: ignore[return-value]

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return run  # type: ignore[return-value]

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            # setUp's clients and calls belong to the test's timeline too.
            original = cls.setUp

            def set_up(test: unittest.TestCase) -> None:
                self.start()
                test.addCleanup(self.stop)
                original(test)

            cls.setUp = set_up  # type: ignore[method-assign]
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(member):
                setattr(cls, name, self(member))
        return cls

    # -- callers -----------------------------------------------------------------------
    def principal(self, name: str, policy: str | dict | None = None,
                  access_key: str | None = None, arn: str | None = None) -> str:
        """Declare a principal with its identity policy (a ``sim:PutPrincipal`` event)
        and, with ``access_key``, make requests signed with that key id its calls.
        Returns its ARN."""
        with self.app.lock:
            t = self.app.clock.request_time()
            made = self.sim.principal(name, arn=arn, policy=policy, at=t)
            if access_key:
                self.app.auth.principals[access_key] = made
                self.app.auth.secrets.setdefault(access_key, DEFAULT_SECRET)
        return made

    def access_key(self, akid: str, principal: str, secret: str | None = None) -> None:
        """Requests signed with ``akid`` are ``principal``'s (a name or an ARN)."""
        self.app.auth.principals[akid] = self.sim.principal_arn(principal)
        if secret is not None:
            self.app.auth.secrets[akid] = secret

    def client(self, service: str, as_: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client whose calls are ``as_``'s (a principal name or ARN; default: the
        account root), without retries (each try would be an event)."""
        import boto3  # boto3 is a test extra: kmsim itself runs without it
        from botocore.config import Config

        akid = DEFAULT_ACCESS_KEY
        if as_ is not None:
            arn = self.sim.principal_arn(as_)
            if arn != root_arn(self.sim.account):
                akid = next((k for k, v in self.app.auth.principals.items() if v == arn), "")
                if not akid:  # a key id of its own, stable across runs
                    akid = "AKIDKMSIM" + hashlib.sha256(arn.encode()).hexdigest()[:11].upper()
                    self.app.auth.principals[akid] = arn
        secret = self.app.auth.secrets.setdefault(akid, DEFAULT_SECRET)
        kwargs.setdefault("region_name", self.sim.region)
        kwargs.setdefault("config", Config(retries={"max_attempts": 1, "mode": "standard"}))
        return boto3.session.Session().client(
            service, aws_access_key_id=akid, aws_secret_access_key=secret, **kwargs)


_ENV = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION")


def simulated_aws(target: F | None = None, **options: Any) -> Any:
    """``with simulated_aws() as aws:``, ``@simulated_aws``, ``@simulated_aws(clock=
    "wall")`` (functions and test classes) or ``simulated_aws().start()``: see
    :class:`SimulatedAws` for the options."""
    sim = SimulatedAws(**options)
    return sim if target is None else sim(target)


def current() -> SimulatedAws | None:
    """The simulation answering now (the innermost active one), or None: what a decorated
    test reads its handle from."""
    found = ROUTER.current
    return found if isinstance(found, SimulatedAws) else None
