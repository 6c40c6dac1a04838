"""``kmsim timeline LOG -o FILE.html``: the timeline as one self-contained HTML page."""

from __future__ import annotations

import argparse

from sim.commands.timetravel import add_log_args
from sim.flags import parse_set
from sim.loading import load_timeline
from sim.timeline_html import TimelinePage, write_page


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
    p.add_argument("--at", metavar="TIME", help="the moment the page opens at (default: the "
                   "end); any time: the page answers at exactly that moment and says where "
                   "it falls among the events")
    p.add_argument("--as", dest="principal", metavar="P",
                   help="principal the answers are for (default: the account root)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the page and say where it is."""
    loaded = load_timeline(args.log, args.profile, parse_set(args.set))
    page = TimelinePage(loaded, args.principal, args.at)
    path = write_page(page, args.output)
    print(f"wrote {path} ({_size(path.stat().st_size)}; {page.summary()}): open it in a "
          f"browser, e.g. file://{path.resolve()}")
    return 0


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n // 1024 or 1} KB"
