"""``kmsim timeline LOG -o FILE.html``: the timeline as one self-contained HTML page."""

from __future__ import annotations

import argparse

from sim.commands.timetravel import add_log_args
from sim.loading import load_timeline
from sim.runner import parse_set
from sim.timeline_html import write_timeline


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "timeline", help="draw a timeline as one self-contained HTML page",
        description="Write an HTML page (no network needed) with a lane per key, a lane per "
        "resource with its data items, event ticks, and a slider that moves the moment the "
        "items are coloured for (yes/maybe/no/gone). Open it in any browser; add "
        "#t=+6m to the address to open at a moment.")
    add_log_args(p)
    p.add_argument("-o", "--output", required=True, metavar="FILE.html", help="page to write")
    p.add_argument("--at", metavar="TIME", help="initial moment (default: the end)")
    p.add_argument("--as", dest="principal", metavar="P",
                   help="principal the answers are for (default: the account root)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the page and say where it is."""
    loaded = load_timeline(args.log, args.profile, parse_set(args.set))
    path = write_timeline(loaded, args.output, args.at, args.principal)
    print(f"wrote {path} ({path.stat().st_size // 1024 or 1} KB): open it in a browser, "
          f"e.g. file://{path.resolve()}")
    return 0
