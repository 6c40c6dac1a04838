"""``kmsim clock``: read or move a running ``kmsim serve``'s clock, or reset its timeline.

    kmsim clock                         # the server's now
    kmsim clock advance 5m              # POST /_kmsim/clock {"advance": "5m"}
    kmsim clock set 2026-01-08T00:00:00Z
    kmsim clock reset                   # POST /_kmsim/reset: a fresh timeline, same flags

The server is ``--url`` (default ``$KMSIM_URL``, else http://127.0.0.1:4599). Plain
``urllib`` (no dependency); every failure is one message with a hint and exit code 2.
Requests are unsigned, so a server run with ``--verify-signatures`` refuses them (403).
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.request

from sim.errors import InputError

URL_ENV = "KMSIM_URL"
DEFAULT_URL = "http://127.0.0.1:4599"
#: Seconds to wait for an answer (a reset waits for a call in progress to finish).
TIMEOUT = 30.0
ACTIONS = ("show", "advance", "set", "reset")
HINTS = {
    "advance": "durations: 250ms 90s 5m 3h 7d 1h30m; the clock only moves forward",
    "set": "times: RFC 3339 UTC (2026-01-08T00:00:00Z), +OFFSET from the start (+7d) or #N, "
           "at or after the server's now",
}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "clock", help="show or move a running kmsim serve's clock, or reset its timeline",
        usage="kmsim clock [show | advance DURATION | set TIME | reset] [--url URL] [--json]",
        description="Talk to a running kmsim serve: show its simulated now (default), "
        "advance it by DURATION, set it to TIME (forward only; timers due on the way fire), "
        "or reset it to a fresh timeline with the same flags (POST /_kmsim/reset; with "
        "--log the old log is kept as STEM.reset-N.kmlog). Prints the new time.",
        epilog="A server run with --verify-signatures refuses these unsigned requests (403).")
    p.add_argument("action", nargs="?", default="show", choices=ACTIONS,
                   help="show (default), advance DURATION, set TIME, or reset")
    p.add_argument("value", nargs="?", metavar="DURATION|TIME",
                   help="for advance: 5m, 1h30m...; for set: RFC 3339, +OFFSET or #N")
    p.add_argument("--url", default=None,
                   help=f"the server (default ${URL_ENV}, else {DEFAULT_URL})")
    p.add_argument("--json", action="store_true", help="print the server's JSON document")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Send the request and print the server's answer."""
    url = (args.url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise InputError(f"bad --url {url!r}", None, None, f"e.g. --url {DEFAULT_URL}")
    needs_value = args.action in ("advance", "set")
    if needs_value and args.value is None:
        raise InputError(f"kmsim clock {args.action} needs a "
                         f"{'DURATION' if args.action == 'advance' else 'TIME'}", None, None,
                         HINTS[args.action])
    if not needs_value and args.value is not None:
        raise InputError(f"kmsim clock {args.action} takes no value ({args.value!r})", None,
                         None, "kmsim clock advance 5m, or kmsim clock set TIME")
    if args.action == "show":
        doc = request(url, "/_kmsim/clock", None, args.action)
    elif args.action == "reset":
        doc = request(url, "/_kmsim/reset", {}, args.action)
    else:
        doc = request(url, "/_kmsim/clock", {args.action: args.value}, args.action)
    if args.json:
        print(json.dumps(doc, indent=2))
    elif args.action == "reset":
        print(describe_reset(doc))
    else:
        print(doc.get("now"))
    return 0


def describe_reset(doc: dict) -> str:
    """One line about a reset: what became of the old timeline, and the new now."""
    n = doc.get("events_before", 0)
    if doc.get("previous_log"):
        old = f"{n} events kept in {doc['previous_log']}; new log {doc.get('log')}"
    elif doc.get("log"):
        old = f"new log {doc['log']} (the old one held no events)"
    else:
        old = f"{n} events dropped (no --log)"
    return f"reset: {old}; now {doc.get('now')}"


def request(url: str, path: str, body: dict | None, action: str) -> dict:
    """GET (body None) or POST ``body`` as JSON; the answer's JSON document, or InputError
    with a hint for every way it can fail."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method="GET" if data is None else "POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as answer:
            raw = answer.read()
    except urllib.error.HTTPError as exc:
        raise _refusal(url, path, exc.code, exc.read(), action) from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        raise InputError(f"cannot reach kmsim serve at {url}: {reason}", None, None,
                         f"start it with kmsim serve, or give --url (or ${URL_ENV})") from None
    except TimeoutError:
        raise InputError(f"no answer from {url} within {TIMEOUT:g} s", None, None,
                         "is the server stuck on a long call? try again") from None
    except (ValueError, OSError) as exc:  # a malformed URL, a reset connection
        raise InputError(f"cannot talk to {url}: {exc}", None, None,
                         f"e.g. --url {DEFAULT_URL}") from None
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise InputError(f"{url}{path} did not answer a JSON document", None, None,
                         "is --url a kmsim serve?")
    return doc


def _refusal(url: str, path: str, status: int, raw: bytes, action: str) -> InputError:
    try:
        message = str(json.loads(raw).get("message") or "")
    except (ValueError, AttributeError):
        message = raw.decode("utf-8", "replace").strip()[:200]
    if status == 403:
        return InputError(f"{url} refused the request (403): {message}", None, None,
                          "the server verifies signatures (--verify-signatures) and kmsim "
                          "clock cannot sign: sign the request to /_kmsim/ with SigV4 "
                          "yourself, or run the server without --verify-signatures")
    if status == 404:
        return InputError(f"{url}{path} was not found (404): {message}", None, None,
                          "is --url a kmsim serve, and new enough to answer it?")
    return InputError(f"{url} refused {action} ({status}): {message}", None, None,
                      HINTS.get(action, "see kmsim serve --help for the control endpoints"))
