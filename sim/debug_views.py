"""What ``kmsim debug`` shows of a moment: the state, the answers, the items (issue 11:
past a few items or associations, the first ones and the counts).

:class:`Views` is mixed into :class:`sim.debugger.Session`, whose ``world``, ``label``,
``when``, ``who``, ``name``, ``key_name``, ``short`` and ``principal`` it uses.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from events.timefmt import format_time
from projections.arns import short_resource
from projections.decrypt import Answer, Answers
from projections.timetravel.answers import association_key
from projections.world import World
from sim.debug_summary import ITEMS_LISTED, per_resource_lines, shown_associations

if TYPE_CHECKING:
    from sim.debugger import Cursor


def why_text(a: Answer) -> str:
    """The short reason behind an answer: for ``maybe`` the side that may fail (its reason
    names a rule), else the first reason, else the rules."""
    if a.status == "maybe":
        failing = [r for r in a.reasons if r.startswith("R-")]
        if failing:
            return "it depends on the key: " + failing[0]
    return a.reasons[0] if a.reasons else ", ".join(a.rules)



class Views:
    """The debugger's views of one moment (see the module docstring)."""

    def at_lines(self, at: Cursor, principal: str, every: bool = False) -> list[str]:
        """What ``principal`` can decrypt at ``at``: each item (past
        :data:`~sim.debug_summary.ITEMS_LISTED`, unless ``every``, the first ones and the
        count of each answer per resource), then the keys and associations, named as at
        that moment."""
        w = self.world(at)
        out = [f"at {self.label(at)} as {self.who(principal)}:"]
        per: dict[str, dict[str, int]] = {}
        n = 0
        for n, item, a in _counted(w, principal, per):
            if n <= ITEMS_LISTED or every:
                keys = "|".join(self.key_name(k, w) for k in a.keys)
                perm = " (permanent)" if a.permanent else ""
                out.append(f"  {self.name(item):<10} {short_resource(item.resource):<20} "
                           f"{keys:<14} {a.status}{perm}  {', '.join(a.rules[:4])}")
        if not n:
            out.append("  no data items yet")
        out += per_resource_lines(n, len(out) - 1, per)
        out += [f"  key {self.key_name(k.arn, w)}: {k.state}" for k in w.keys.values()]
        out += [f"  association {short_resource(a.resource)}: {a.state} "
                f"(key {self.key_name(association_key(a), w)})"
                for a in sorted(w.associations.values(), key=lambda a: a.resource)]
        return out

    def state_lines(self, world: World | None = None, every: bool = False) -> list[str]:
        """Keys, associations, items (past a few, unless ``every``, the first ones and the
        count per resource) and pending timers at the cursor."""
        w = world or self.world()
        out = [f"at {self.label()}, as {self.who(self.principal)}", "keys:"]
        for key in w.keys.values():
            since = key.since
            why = ""
            if since is not None:
                when = self.when(since.t)
                why = f"  since #{since.seq}" if since.seq else f"  since {when} (timer)"
                why += f" ({since.rule})"
            extra = f"  deletion {format_time(key.deletion_date)}" if key.deletion_date and \
                key.state == "PendingDeletion" else ""
            out.append(f"  {self.key_name(key.arn, w):<14} {key.state:<16}{why}{extra}")
        if not w.keys:
            out.append("  (none)")
        out.append("associations:")
        shown, rest = shown_associations(w, every)
        for assoc in shown:
            text = f"  {short_resource(assoc.resource):<22} {assoc.state:<15} key " \
                   f"{self.key_name(assoc.key, w)}"
            if assoc.window:
                eff = "uncertain" if assoc.effective_at is None else self.when(
                    assoc.effective_at)
                text += (f", -> {self.key_name(assoc.pending, w)} in window "
                         f"{self.when(assoc.window[0])}..{self.when(assoc.window[1])} "
                         f"(takes effect: {eff})")
            out.append(text)
        if rest:
            counts = Counter((a.state, self.key_name(a.key, w)) for a in rest)
            out.append(f"  ... {len(rest):,} more: " + ", ".join(
                f"{n:,} {state} (key {key})" for (state, key), n in counts.most_common()))
        if not w.associations:
            out.append("  (none)")
        out += ["items:", *self.item_lines(w, every=every), "timers pending:"]
        timers = w.pending_timers()
        for timer in timers[:10]:  # the next ten: enough to see what is coming
            target = self.key_name(w.keys[timer.target].arn, w) if timer.target in w.keys else \
                short_resource(str(timer.target))
            out.append(f"  {self.when(timer.due):>8}  {timer.kind} {target}")
        if not timers:
            out.append("  (none)")
        return out

    def item_lines(self, w: World, principal: str | None = None, every: bool = False
                   ) -> list[str]:
        """One line per data item: name, resource, write time, keys, status and why; past
        :data:`~sim.debug_summary.ITEMS_LISTED` items (unless ``every``), the first ones
        and the count of each answer per resource."""
        lines = []
        per: dict[str, dict[str, int]] = {}
        n = 0
        for n, item, a in _counted(w, principal or self.principal, per):
            if n > ITEMS_LISTED and not every:
                continue
            keys = "|".join(self.key_name(k, w) for k in a.keys)
            perm = " permanent" if a.permanent else ""
            lines.append(f"  {self.name(item):<10} {short_resource(item.resource):<20} "
                         f"{self.when(item.written_at):>7}  {keys:<12} "
                         f"{a.status}{perm}  {self.short(why_text(a))[:110]}")
        lines += per_resource_lines(n, len(lines), per)
        return lines or ["  (none)"]


def _counted(w: World, principal: str, per: dict[str, dict[str, int]]):
    """Each item of ``w`` with its number (from 1) and its answer for ``principal``,
    counting the answers per resource in ``per`` on the way."""
    answer = Answers(w, principal)
    for n, item in enumerate(w.iter_items(), 1):
        a = answer(item)
        counts = per.setdefault(item.resource, {})
        counts[a.status] = counts.get(a.status, 0) + 1
        yield n, item, a
