"""``kmsim whatif LOG --at T --step 'CALL ARGS' [--as P]``: fork the timeline at T.

Events at or before T are kept, each step is applied at T, later events are replayed
under the rules (renumbered after the steps); the answers that change are shown at each
later event and at the end. Exit 0, or 1 when a step is refused (its error code, message
and rule are shown, and said on stderr), 2 on bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ctypes.util
import gc
import json
import sys
import tempfile

from sim.commands.timetravel import (
    AS_HELP,
    TIME_HELP,
    add_log_args,
    open_log,
    resolve_principal,
    resolve_when,
)
from sim.errors import InputError
from sim.whatif import (
    Recorded,
    compare,
    failed_steps,
    fork_compared,
    named,
    parse_step,
    report_lines,
    step_failure,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "whatif", help="fork the timeline at T with other steps; show what changes",
        description="Fork the timeline at T (events at or before T), apply each --step at T, "
        "replay the later events under the rules, and show the answers (item statuses, key "
        "states, associations) that change from then on.",
        epilog="STEP: 'service:Operation ARGS' with ARGS as JSON or a TOML inline table, e.g. "
        "--step 'kms:CancelKeyDeletion {\"KeyId\": \"alias/app\"}' or "
        "--step 'kms:CancelKeyDeletion { KeyId = \"alias/app\" }'; a scenario's saved value "
        "is ${k1} anywhere, or KeyId=k1 (a log keeps its scenario's saved values). Exit 1 when "
        f"a step is refused. T: {TIME_HELP}.")
    add_log_args(p)
    p.add_argument("--at", required=True, metavar="T", help="the moment to fork at")
    p.add_argument("--step", required=True, action="append", metavar="'CALL ARGS'",
                   help="a call to apply at T (repeatable, applied in order)")
    p.add_argument("--as", dest="as_", metavar="P",
                   help=AS_HELP + "; the steps' caller and the principal of the answers")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fork, compare, print. The loaded timeline is let go before the fork (which folds the
    original and the fork side by side in bounded memory), so the two never add up."""
    opened = open_log(args.log, args.profile, args.set)
    steps = [parse_step(s, opened.variables) for s in args.step]
    principal = resolve_principal(opened, args.as_)
    t, through = resolve_when(opened, args.at)
    if through is not None:
        raise InputError("--at takes a time, not #N", None, None,
                         "a fork keeps every event up to a moment: give +OFFSET or RFC 3339")
    loaded, variables = opened.loaded, opened.variables
    seed, region, account, style = loaded.seed, loaded.region, loaded.account, \
        loaded.time_style
    recorded = Recorded.of(opened.timeline)
    del opened, loaded
    _let_go()
    f = fork_compared(recorded, t, steps, principal, principal, variables, seed, region,
                      account, scratch=tempfile.gettempdir())
    del recorded
    changes = compare(f, principal, variables)
    failed = failed_steps(f)
    if args.json:
        print(json.dumps({
            "at": t, "kept": f.n, "failed_steps": len(failed),
            "steps": [{"seq": e.seq, "op": e.op, "req": e.req, "out": e.out, "ok": e.ok}
                      for e in f.steps],
            "outcomes_changed": max(f.outcomes_changed, len(f.changed_outcomes)),
            "changed_outcomes": [{"seq": a.seq, "new_seq": b.seq, "op": a.op, "was": a.out,
                                  "now": b.out} for a, b in f.changed_outcomes],
            "changes": [{"t": c.t, "after_seq": c.seq, "op": c.op,
                         "differences": [{"what": w, "original": a, "whatif": b}
                                         for w, a, b in c.differences],
                         "more_items": [{"resource": r, "original": a, "whatif": b,
                                         "items": n} for (r, a, b), n in c.more.items()]}
                        for c in changes],
        }, indent=2))
    else:
        print("\n".join(report_lines(f, changes, variables, style)))
    for e in failed:  # said on stderr too: a script reading stdout must not miss it
        print(f"kmsim: whatif: step #{e.seq} "
              f"{named(step_failure(e), f.names, variables)}", file=sys.stderr)
    return 1 if failed else 0


def _let_go() -> None:
    """Free the loaded timeline now: a load freezes its objects out of the collector
    (projections.timetravel.timeline), so the cycles among them are found only after an
    unfreeze. Then ask glibc (where there is one) to map each big block on its own: the
    fork grows a dozen arrays side by side, and from the shared heap each growth that
    cannot stay in place leaves a hole behind (about a tenth of the peak on a 1M log)."""
    gc.unfreeze()
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 128 << 10)
        libc.malloc_trim(0)


#: glibc's mallopt parameter: blocks from this size up are mapped on their own (a fixed
#: value also stops glibc raising it as big blocks are freed).
M_MMAP_THRESHOLD = -3
