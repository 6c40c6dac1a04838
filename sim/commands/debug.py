"""``kmsim debug LOG``: the interactive time-travel prompt (SPEC 9).

The answers live in :mod:`sim.debugger`; this module is the terminal side: a
``cmd.Cmd`` shell with readline editing and history (``~/.kmsim_history``, written only
when HOME is writable), and ``--commands FILE|-`` to run a script of commands instead.

Output longer than a page (the terminal's height at the prompt, :data:`SCRIPT_PAGE` lines
in a script) shows its first page and how many lines are left; ``more`` shows the next
page, ``more all`` the rest, and ``--all`` never cuts.
"""

from __future__ import annotations

import argparse
import cmd
import contextlib
import difflib
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from events.timefmt import format_time
from sim.commands.timetravel import add_log_args
from sim.debug_args import count_arg, parse_call, split_options
from sim.debug_pager import SCRIPT_PAGE, Pager
from sim.debug_summary import events_between
from sim.debugger import DebugError, Session
from sim.errors import InputError
from sim.flags import parse_set
from sim.loading import load_timeline

HISTORY_FILE = ".kmsim_history"

#: One line per command for ``help`` (``help CMD`` prints the command's docstring).
SUMMARY = [
    ("step [N]", "forward N events (default 1); Enter repeats"),
    ("back [N]", "backward N events"),
    ("goto TIME|#N", "jump: +5m, 2026-01-01T00:05:00Z, #7 (just after event 7), start, end"),
    ("state", "keys, associations, items and pending timers at the cursor"),
    ("at [TIME] [--as P] [--json]", "what P can decrypt at TIME (default: the cursor)"),
    ("explain ITEM [--as P]", "why an item (label or #N) is yes/no/maybe/gone here"),
    ("diff T1 [T2]", "what changed between two moments (T2 default: the cursor)"),
    ("fork 'CALL ARGS' [--as P]", "what if CALL happened here: kms:EnableKey KeyId=k1"),
    ("events [all]", "the events around the cursor (all: every one)"),
    ("more [N|all]", "the next page of a long answer (all: the rest)"),
    ("as P", "answer as principal P from now on (a name from the log, or an ARN)"),
    ("help [CMD]", "this list, or one command in detail"),
    ("quit", "leave (also Ctrl-D)"),
]
ALIASES = {"s": "step", "n": "step", "next": "step", "b": "back", "g": "goto", "q": "quit",
           "exit": "quit", "e": "events", "?": "help", "whatif": "fork", "m": "more"}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the verb."""
    p = sub.add_parser(
        "debug", help="step through a timeline in an interactive time-travel prompt",
        description="Time-travel prompt over a log or scenario: step, back, goto, state, at, "
        "explain, diff, fork, events. Type help at the prompt.")
    add_log_args(p)
    p.add_argument("--commands", metavar="FILE", help="run the commands in FILE (- for stdin) "
                   "instead of prompting, echoing each after the prompt; exit 1 if one failed")
    p.add_argument("--as", dest="principal", metavar="P",
                   help="principal for answers (default: the scenario's principal, "
                   "else the account root)")
    p.add_argument("--at", metavar="TIME", help="start with the cursor here (default: start)")
    p.add_argument("--page", type=int, metavar="N",
                   help="lines of one answer shown before 'more' is needed (default: the "
                   f"terminal's height at the prompt, {SCRIPT_PAGE} with --commands)")
    p.add_argument("--all", action="store_true",
                   help="never cut long answers (every event, every item)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the timeline and run the prompt (or the command script)."""
    loaded = load_timeline(args.log, args.profile, parse_set(args.set))
    try:
        session = Session(loaded, args.principal)
        if args.at:
            session.cursor = session.moment(args.at)
    except DebugError as exc:
        raise InputError(str(exc), None, None, exc.hint) from None
    if args.page is not None and args.page < 1:
        raise InputError(f"--page {args.page}: a page is at least one line", None, None,
                         "--page 40, or --all to never cut")
    shell = DebugShell(session, page=0 if args.all else args.page,
                       script=args.commands is not None)
    if args.commands is None:
        return shell.interactive()
    try:
        text = sys.stdin.read() if args.commands == "-" else Path(args.commands).read_text(
            encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read commands: {exc.strerror}", args.commands, None,
                         "give a file with one command per line, or - for stdin") from None
    return shell.run_script(text.splitlines())


class DebugShell(Pager, cmd.Cmd):
    """The prompt. Every command prints its answer; every failure is one line with a hint."""

    def __init__(self, session: Session, stdout: IO[str] | None = None,
                 page: int | None = None, script: bool = False) -> None:
        super().__init__(stdout=stdout or sys.stdout)
        self.session = session
        self.errors = 0
        self.interactive_mode = False
        self.last = ""
        self.page = page if page is not None else (SCRIPT_PAGE if script else None)
        self._update_prompt()

    # -- plumbing ------------------------------------------------------------------------
    def _update_prompt(self) -> None:
        self.prompt = f"kmsim [{self.session.label()}]> "

    def fail(self, message: str, hint: str = "") -> None:
        """One error line (with its hint) and count it."""
        self.errors += 1
        self.write_lines([f"error: {message}" + (f"  (hint: {hint})" if hint else "")])

    def precmd(self, line: str) -> str:
        """Expand the short aliases (``s``, ``b``, ``g``, ``q``...)."""
        word, _, rest = line.strip().partition(" ")
        return f"{ALIASES.get(word, word)} {rest}".strip()

    def onecmd(self, line: str) -> bool:
        """Run one command; no exception escapes (a bad command never ends the session)."""
        try:
            stop = bool(super().onecmd(line))
        except DebugError as exc:
            self.fail(str(exc), exc.hint)
            stop = False
        except (ValueError, KeyError, LookupError, TypeError) as exc:
            self.fail(str(exc).strip("'\"") or type(exc).__name__, "type help for the syntax")
            stop = False
        except Exception as exc:  # the session must survive anything
            self.fail(f"internal error {type(exc).__name__}: {exc}",
                      "the session goes on; please report this")
            stop = False
        if line.strip():
            self.last = line.split()[0]
        self._update_prompt()
        return stop

    def emptyline(self) -> bool:
        """Enter on an empty line shows the next page of a long answer, else repeats step
        or back (as in gdb); otherwise does nothing."""
        if self.interactive_mode and self._rest is not None:
            return self.onecmd("more")
        if self.interactive_mode and self.last in ("step", "back"):
            return self.onecmd(self.last)
        return False

    def default(self, line: str) -> bool:
        """An unknown command: say so, with the closest known one."""
        word = line.split()[0] if line.split() else line
        names = [n[3:] for n in self.get_names() if n.startswith("do_") and n != "do_EOF"]
        close = difflib.get_close_matches(word, names, n=1)
        hint = f"did you mean {close[0]}?" if close else "type help for the commands"
        self.fail(f"unknown command {word!r}", hint)
        return False

    def completedefault(self, text: str, line: str, begidx: int, endidx: int) -> list[str]:
        """Complete item labels, principal names and ``#N``/``start``/``end``."""
        w = self.session.world()
        words = [self.session.name(i) for i in w.iter_items()] + list(self.session.loaded.names)
        words += ["start", "end", "--as", "--json", "--all"]
        return [x for x in words if x.startswith(text)]

    # -- running -------------------------------------------------------------------------
    def run_script(self, lines: list[str]) -> int:
        """Run commands, echoing each after the prompt; 1 when one of them failed."""
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue  # blank lines and comments: teaching scripts have both
            self.write_lines([self.prompt + line])
            if self.onecmd(self.precmd(line)):
                break
        return 1 if self.errors else 0

    def interactive(self) -> int:
        """The prompt with readline editing, arrow keys and a history file."""
        self.interactive_mode = True
        history = _history_path()
        try:
            import readline
        except ImportError:  # Windows without pyreadline: still works, without history
            readline = None  # type: ignore[assignment]
        if readline is not None:
            readline.set_history_length(1000)
            if history is not None and history.exists():
                with contextlib.suppress(OSError):
                    readline.read_history_file(str(history))
        s = self.session
        self.write_lines([f"kmsim debug: {s.count:,} events from {s.loaded.source}, start "
                          f"{format_time(s.start)}, profile {s.timeline.profile}.",
                          "Type help for the commands; step/back move the cursor; long "
                          "answers stop at a page (more goes on); Ctrl-D leaves."])
        while True:
            try:
                self.cmdloop()
                break
            except KeyboardInterrupt:
                self._rest = None  # a long answer is dropped, not resumed
                self.write_lines(["^C (type quit to leave)"])
        if readline is not None and history is not None:
            _save_history(readline, history)
        return 0

    # -- commands ------------------------------------------------------------------------
    def do_step(self, arg: str) -> None:
        """step [N]: move forward N events (default 1), showing each event and what changed:
        key and association transitions with their rules, timers that fired, items written
        and items whose answer changed."""
        self.say(self.session.move(self.session.step(count_arg(arg))))

    def do_back(self, arg: str) -> None:
        """back [N]: move backward N events, showing what is undone."""
        self.say(self.session.move(self.session.back(count_arg(arg))))

    def do_goto(self, arg: str) -> None:
        """goto TIME|#N: move the cursor. TIME is +OFFSET (+5m), RFC 3339 UTC, start or end;
        #N is just after event N."""
        if not arg.strip():
            raise DebugError("goto needs a moment", "goto +5m, goto #7, goto end")
        self.say(self.session.move(self.session.moment(arg)))

    def do_state(self, arg: str) -> None:
        """state [--as P] [--all]: keys, associations, data items and pending timers at the
        cursor; past a few items, the first ones and the count per resource (--all: every
        item)."""
        words, opts = split_options(arg, bools=("--all",))
        if words:
            raise DebugError(f"state takes no {words[0]!r}", "state, state --as P, state --all")
        s = self.session
        old = s.principal
        s.principal = s.resolve_principal(opts["as"]) if "as" in opts else old
        try:
            self.say(s.state_lines(every=bool(opts.get("all"))))
        finally:
            s.principal = old

    def do_at(self, arg: str) -> None:
        """at [TIME] [--as P] [--json] [--all]: what P can decrypt at TIME (default: the
        cursor), with the keys and associations; past a few items, the first ones and the
        count of each answer per resource (--all: every item); --json prints the `kmsim at
        --json` document."""
        words, opts = split_options(arg, bools=("--json", "--all"))
        s = self.session
        at = s.moment(" ".join(words)) if words else s.cursor
        who = s.resolve_principal(opts["as"]) if "as" in opts else s.principal
        if opts.get("json"):
            self.say(json.dumps(s.answers_document(at, who), indent=2).splitlines())
            return
        self.say(s.at_lines(at, who, every=bool(opts.get("all"))))

    def do_explain(self, arg: str) -> None:
        """explain ITEM [--as P]: the causal chain behind an item's answer at the cursor:
        the reasons, each rule's statement and the events that decided it, newest first."""
        words, opts = split_options(arg)
        if len(words) != 1:
            raise DebugError("explain needs one item", "explain e1, or explain #12 (items: "
                             "see state)")
        s = self.session
        self.say(s.explain_lines(words[0], s.resolve_principal(opts["as"]) if "as" in opts
                                 else None))

    def do_diff(self, arg: str) -> None:
        """diff T1 [T2]: events and state changes between two moments (T2: the cursor)."""
        words, _ = split_options(arg)
        if not 1 <= len(words) <= 2:
            raise DebugError("diff needs one or two moments", "diff +2m +7m, diff #3 #9")
        s = self.session
        a = s.moment(words[0])
        b = s.moment(words[1]) if len(words) == 2 else s.cursor
        self.say(s.diff_lines(a, b))

    def do_fork(self, arg: str) -> None:
        """fork 'CALL ARGS' [--as P]: what if CALL had happened at the cursor? Runs it in a
        forked copy, replays the later recorded events after it and shows what differs.
        ARGS: NAME=VALUE words, JSON or a TOML inline table; a key's short name (k1,
        alias/app, as state shows it) stands for its ARN. The recording is not changed."""
        text = arg.strip()
        who = None
        m = re.search(r"\s--as\s+(\S+)\s*$", " " + text)
        if m:
            who = self.session.resolve_principal(m.group(1))
            text = (" " + text)[:m.start()].strip()
        if not text:
            raise DebugError("fork needs a call", "fork 'kms:CancelKeyDeletion KeyId=k1'")
        s = self.session
        op, args = parse_call(text, {**{n: arn for arn, n in s.keys.items()},
                                     **s.loaded.variables})
        self.say(self.session.fork(op, args, who))

    def do_events(self, arg: str) -> None:
        """events [all]: the events around the cursor (all: every event, a page at a
        time), the cursor marked."""
        s = self.session
        events = s.timeline.events
        lo, hi = 0, len(events)
        if arg.strip() != "all":
            lo, hi = max(0, s.cursor.n - 10), min(len(events), s.cursor.n + 10)

        def rows() -> Iterator[str]:
            if lo:
                yield f"  ... {lo:,} earlier"
            # decoded as the pages are shown: a million events are never all in memory
            for i, e in enumerate(events_between(events, lo, hi), lo):
                if i == s.cursor.n:
                    yield f"  ---- cursor {s.label()} ----"
                yield f"  {s.event_line(e)}"
            if s.cursor.n == hi:
                yield f"  ---- cursor {s.label()} ----"
            if hi < len(events):
                yield f"  ... {len(events) - hi:,} later"

        self.say(rows(), total=(hi - lo) + 1 + bool(lo) + (hi < len(events)))

    def do_as(self, arg: str) -> None:
        """as P: answer as principal P (a name declared in the log, root, or an ARN)."""
        if not arg.strip():
            self.say(f"answering as {self.session.who(self.session.principal)}")
            return
        self.session.principal = self.session.resolve_principal(arg.strip())
        self.say(f"answering as {self.session.who(self.session.principal)}")

    def do_help(self, arg: str) -> None:
        """help [CMD]: the commands, or one in detail."""
        name = ALIASES.get(arg.strip(), arg.strip())
        if name:
            fn = getattr(self, f"do_{name}", None)
            if fn is None or name == "EOF":
                raise DebugError(f"no command {name!r}", "type help for the commands")
            self.say([" ".join(line.split()) for line in (fn.__doc__ or "").splitlines()
                      if line.strip()])
            return
        self.say(["commands (times: +5m, 2026-01-01T00:05:00Z, #N, start, end):"]
                 + [f"  {syntax:<28} {text}" for syntax, text in SUMMARY])

    def do_quit(self, arg: str) -> bool:
        """quit: leave the prompt."""
        return True

    def do_EOF(self, arg: str) -> bool:
        """Ctrl-D leaves."""
        self.say("")
        return True


def _save_history(readline: Any, history: Path) -> None:
    """Write the history beside its file, then rename: a reader (or a crash) never sees a
    half-written file, and an old history is kept if the write fails."""
    partial = history.with_name(history.name + f".{os.getpid()}.tmp")
    try:
        readline.write_history_file(str(partial))
        os.replace(partial, history)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def _history_path() -> Path | None:
    """``~/.kmsim_history`` when HOME is set and writable (else no history is kept)."""
    home = os.environ.get("HOME")
    if not home or not os.path.isdir(home) or not os.access(home, os.W_OK):
        return None
    return Path(home) / HISTORY_FILE
