"""``kmsim serve``: the AWS wire protocols on loopback, for boto3 and the AWS CLI (SPEC 10).

    kmsim serve --log serve.kmlog --principal AKIDREADER=arn:aws:iam::111122223333:role/R
    aws --endpoint-url http://127.0.0.1:4599 kms create-key

Ctrl-C stops it; the log is flushed and closed.
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from pathlib import Path

from events.codec import UnsupportedEventVersion
from events.logfile import LogError, LogLocked
from events.timefmt import TimeSyntaxError, format_time, parse_rfc3339
from projections.arns import IAM_ARN
from projections.rulebook import SettingsError, find_assumption, resolve_settings, setting
from projections.timetravel.timeline import FoldFailed
from sim.errors import InputError
from sim.flags import parse_set
from sim.loading import log_input_error
from sim.server import AuthConfig, KmsimApp, KmsimHTTPServer, is_loopback
from sim.server.clock import STEP_SETTING, request_step
from sim.simulator import DEFAULT_ACCOUNT, DEFAULT_REGION, DEFAULT_START, Simulator


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "serve", help="serve the AWS APIs (KMS, CloudWatch Logs, CloudWatch) for boto3/AWS CLI",
        description="Speak the AWS wire protocols so that boto3 and the AWS CLI work unchanged "
        "with endpoint_url: KMS (awsJson1_1, TrentService.*), CloudWatch Logs (awsJson1_1, "
        "Logs_20140328.*), CloudWatch (smithy-rpc-v2-cbor) and kmsim's own sim:* operations "
        "(awsJson1_1, KmsimSim.*). Control endpoints: GET/POST /_kmsim/clock "
        "({\"advance\": \"5m\"} or {\"set\": TIME}; or kmsim clock advance|set --url URL), "
        "GET /_kmsim/at?time=&as=, GET /_kmsim/events?after=N, POST /_kmsim/reset (a fresh "
        "timeline with the same flags; with --log the old log is kept as STEM.reset-N.kmlog). "
        "Time of a request: max(clock now, previous event's time + 1 ms), under --clock sim "
        "and wall alike, so sequential requests never collide as concurrent ones do "
        "(ConflictException, OperationAbortedException); the clock is then at that instant "
        "(x-kmsim-time in the answer). To send a request concurrent with the previous event, "
        "add the header x-kmsim-concurrent: true: it happens at the clock's now, the previous "
        "event's instant unless the clock moved. --set request_step=step:1s changes the step "
        "(A-REQUEST-STEP).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=4599, help="port (default 4599; 0: any free)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host that is not loopback (there is no authentication "
                   "unless --verify-signatures)")
    p.add_argument("--log", metavar="FILE", help="write every event to this new log file")
    p.add_argument("--resume", action="store_true",
                   help="with --log: if FILE exists, continue its timeline (its events are "
                   "folded first; its header keeps start, profile, assumptions, account and "
                   "region; time resumes at its last event)")
    p.add_argument("--clock", choices=("sim", "wall"), default="sim",
                   help="sim: time moves only via POST /_kmsim/clock and the 1 ms step of "
                   "each request (default); wall: start + wall time elapsed x --speed")
    p.add_argument("--speed", type=float, default=1.0,
                   help="with --clock wall: simulated ms per wall ms (default 1)")
    # None: not given (a resumed log keeps its own; see _resume)
    p.add_argument("--start", help=f"start time (default {DEFAULT_START})")
    p.add_argument("--account",
                   help=f"the account of unmapped callers (default {DEFAULT_ACCOUNT})")
    p.add_argument("--region",
                   help="region of unsigned requests (signed ones use their credential "
                   f"scope; default {DEFAULT_REGION})")
    p.add_argument("--profile", help="rule profile: seed (the default: AWS pages as the "
                   "rules were first written) or api-2026 (the newer API documentation); "
                   "kmsim rules lists both")
    p.add_argument("--set", action="append", default=[], metavar="A=V",
                   help="set an assumption, e.g. --set propagation=instant (repeatable)")
    p.add_argument("--principal", action="append", default=[], metavar="AKID=ARN",
                   help="the caller for an access key id (repeatable; others: account root)")
    p.add_argument("--verify-signatures", action="store_true",
                   help="check SigV4 signatures against --secret values")
    p.add_argument("--secret", action="append", default=[], metavar="AKID=SECRET",
                   help="secret access key of an access key id (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print one line per request on stderr: simulated time, caller, "
                   "operation, outcome (ok or the error code), rule, event number (#N)")
    p.set_defaults(func=run)


def _pairs(values: list[str], flag: str, check=None) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise InputError(f"bad {flag} {item!r}", None, None, f"write {flag} AKID=VALUE")
        if check is not None:
            check(item, value.strip())
        out[name.strip()] = value.strip()
    return out


def _check_arn(item: str, arn: str) -> None:
    if not IAM_ARN.fullmatch(arn):
        raise InputError(f"bad --principal {item!r}: {arn!r} is not an IAM ARN", None, None,
                         "arn:aws:iam::ACCOUNT:role/NAME, ...:user/NAME or ...:root")


def build(args: argparse.Namespace):
    """The app and its HTTP server from parsed arguments (InputError for bad flags)."""
    if not is_loopback(args.host) and not args.allow_remote:
        raise InputError(f"--host {args.host} is not a loopback address", None, None,
                         "kmsim serve binds to loopback; add --allow-remote to expose it")
    if args.resume and not args.log:
        raise InputError("--resume needs --log FILE", None, None,
                         "kmsim serve --log serve.kmlog --resume")
    existing = bool(args.log and Path(args.log).exists() and Path(args.log).stat().st_size)
    if existing and not args.resume:
        raise InputError("log already exists", args.log, None,
                         "add --resume to continue its timeline, or give a new file")
    # None: not given (a resumed log keeps its own values; see _resume)
    given: dict[str, object] = {"--start": args.start, "--profile": args.profile,
                                "--account": args.account, "--region": args.region}
    args.start = args.start or DEFAULT_START
    args.account = args.account or DEFAULT_ACCOUNT
    args.region = args.region or DEFAULT_REGION
    args.profile = args.profile or "seed"
    if args.speed <= 0:
        raise InputError("--speed must be positive", None, None, "e.g. --speed 60")
    if not re.fullmatch(r"\d{12}", args.account):
        raise InputError(f"bad --account {args.account!r}", None, None, "a 12-digit account id")
    principals = _pairs(args.principal, "--principal", _check_arn)
    secrets = _pairs(args.secret, "--secret")
    if args.verify_signatures and not secrets:
        raise InputError("--verify-signatures needs the secrets", None, None,
                         "add --secret AKID=SECRET for each access key id")
    if args.verify_signatures:
        try:
            import botocore.auth  # noqa: F401
        except ImportError:
            raise InputError("--verify-signatures uses botocore's SigV4 code", None, None,
                             "pip install botocore") from None
    try:
        start = parse_rfc3339(args.start)
        settings = resolve_settings(args.profile, parse_set(args.set).items())
        request_step(setting(settings, STEP_SETTING))
    except (TimeSyntaxError, SettingsError, ValueError) as exc:
        raise InputError(str(exc), None, None, "kmsim rules lists profiles and assumptions"
                         ) from None
    if existing:  # last of the checks: it takes the log's writer lock
        if given["--start"] is not None:
            given["--start"] = start
        sim = _resume(args.log, given, parse_set(args.set))
        args.start, args.account = format_time(sim.start), sim.account
        args.region, args.profile = sim.region, sim.profile
        print(f"kmsim serve: resumed {len(sim.events)} events from {args.log}, now "
              f"{format_time(sim.now)}", file=sys.stderr, flush=True)
    else:
        sim = Simulator(start=start, account=args.account, region=args.region,
                        profile=args.profile, assumptions=parse_set(args.set), log=args.log,
                        name="kmsim serve")
    auth = AuthConfig(args.account, args.region, principals, secrets, args.verify_signatures)
    try:
        app = KmsimApp(sim, auth, args.clock, args.speed,
                       request_log=sys.stderr if args.verbose else None)
    except ValueError as exc:  # a resumed log's header with a bad request_step
        sim.close()
        raise InputError(str(exc), args.log, None, "kmsim rules lists the assumptions"
                         ) from None
    try:
        httpd = KmsimHTTPServer((args.host, args.port), app, verbose=args.verbose)
    except OSError as exc:
        app.close()
        raise InputError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                         None, None, "choose another --port (0 picks a free one)") from None
    return app, httpd


def _resume(log: str, given: dict[str, object], sets: dict[str, str]) -> Simulator:
    """The Simulator continuing ``log``. Flags ``given`` (parsed; None: not given) and
    ``--set`` values that contradict the log's header are errors."""
    try:
        sim = Simulator.resume(log)
    except LogLocked:
        raise InputError("another kmsim is writing this log", log, None,
                         "stop it first, or give another file") from None
    except LogError as exc:
        raise log_input_error(exc) from None
    except (UnsupportedEventVersion, OSError) as exc:
        raise InputError(str(exc), log, None, "kmsim log verify LOG shows the damage; "
                         "kmsim log repair LOG keeps what is intact") from None
    except FoldFailed as exc:  # a recorded outcome these rules cannot fold
        where = "" if exc.offset is None else f" (byte offset {exc.offset})"
        raise InputError(f"the log cannot be folded at event #{exc.seq}{where}: "
                         f"{type(exc.error).__name__}: {exc.error}", log, None,
                         "kmsim replay LOG lists the events whose recorded outcome the "
                         "rules do not give") from None
    kept = {"--start": sim.start, "--profile": sim.profile, "--account": sim.account,
            "--region": sim.region}
    differ = [flag for flag, value in given.items() if value is not None and value != kept[flag]]
    # build() checked every name; settings are keyed by the lower-case name
    changed = [name for name, value in sets.items()
               if setting(sim.settings, find_assumption(name).name) != value]  # type: ignore[union-attr]
    if differ or changed:
        sim.close()  # releases the writer lock; nothing was appended
    if differ:
        flag = differ[0]
        shown = format_time(sim.start) if flag == "--start" else kept[flag]
        raise InputError(f"{flag} differs from the log's header ({shown})", log, None,
                         f"a resumed timeline keeps its log's settings: drop {flag}")
    if changed:
        raise InputError(f"--set {', '.join(changed)} differs from the log's assumptions", log,
                         None, "a resumed timeline keeps its log's assumptions")
    return sim


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (or SIGTERM), then flush the log."""
    app, httpd = build(args)
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (kill, docker stop) stops as cleanly as Ctrl-C does; and Ctrl-C stops even
        # when the server was started with SIGINT ignored (a shell's background job).
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    print(f"kmsim serve: {httpd.url} (clock {args.clock}, start {args.start}, account "
          f"{args.account}, region {args.region}); Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("kmsim serve: stopping", file=sys.stderr)
    finally:
        httpd.server_close()
        app.close()
        if args.log:
            print(f"kmsim serve: {len(app.sim.events)} events in {args.log}", file=sys.stderr)
    return 0
