"""The review screen: the terminal loop around a ``ReviewSession``.

The session owns the cards and what each action does; this module only
reads keys (or lines, when input is piped), lays the card out for the
terminal and prints what the session reports. In a terminal each card starts
on a clean screen, so the eye always finds the question in the same place;
the question stays in view when the answer appears below it, and what the
last grade did is the first line of the next screen, where undo can still
take it back. Piped sessions print the same content in order, with no
escape codes, one line per reveal, typed answer or grade.

Ctrl-C prints the summary and exits 130; SIGTERM and SIGHUP exit with 128 +
the signal; Ctrl-Z suspends and ``fg`` comes back to the same card. Every
answer is committed by the session before the next card is shown.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import click

from studycards import layout
from studycards.text import sanitize, unmark

HELP = """\
Grades (SM-2):
  5  perfect response
  4  correct after a hesitation
  3  correct, recalled with serious difficulty
  2  wrong, but the answer seemed easy to remember
  1  wrong, but remembered on seeing the answer
  0  complete blackout
Cards graded below 4 come back at the end of the session until they get a 4 or 5.
Keys:
  Enter, space  show the answer
  u  undo the last answer (repeatable)
  s  bury this card until tomorrow
  o  open this card's images and sounds (from imported packages) in your viewer or player
  q, Esc  quit; everything answered so far is saved
  ?  this help"""


class Quit(Exception):
    """The user asked to end the session."""


class Stopped(BaseException):
    """SIGTERM or SIGHUP (a closed terminal) arrived: end the session cleanly.
    A BaseException, as KeyboardInterrupt is, so that no ``except Exception``
    on the way (a database error mapping, say) takes it for an error."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_signalled: int | None = None  # the stopping signal, once one arrived


def _stop_if_signalled() -> None:
    """Raise Stopped again before waiting for the user: a signal handled
    while Python was finalizing an object (its exception is then printed
    and dropped) must still end the session, not leave it waiting."""
    if _signalled is not None:
        raise Stopped(_signalled)


class Input:
    interactive = False

    def key(self, prompt: str) -> str:
        raise NotImplementedError

    def line(self, prompt: str) -> str:
        raise NotImplementedError


class Keys(Input):
    """Single keypresses in a terminal. Ctrl-C ends the session (exit 130),
    Ctrl-D too (exit 0), Ctrl-Z suspends the job."""

    interactive = True

    def key(self, prompt: str) -> str:
        while True:
            _stop_if_signalled()
            click.echo(prompt, nl=False)
            key = click.getchar()
            click.echo()
            if key == "\x03":
                raise KeyboardInterrupt
            if key == "\x04":
                raise EOFError
            if key == "\x1a":
                _suspend()
                continue
            return key

    def line(self, prompt: str) -> str:
        _stop_if_signalled()
        return input(prompt)


class Lines(Input):
    """Line-based input for scripts: end of input ends the session."""

    def key(self, prompt: str) -> str:
        _stop_if_signalled()
        click.echo(prompt)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    def line(self, prompt: str) -> str:
        _stop_if_signalled()
        click.echo(prompt)
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")


def _suspend() -> None:
    """Ctrl-Z in raw mode arrives as a key: stop the job as the shell expects;
    ``fg`` continues here."""
    if hasattr(signal, "SIGTSTP"):
        os.kill(os.getpid(), signal.SIGTSTP)


def stop_on_signals() -> None:
    def stop(signum: int, _frame: object) -> None:
        global _signalled
        _signalled = signum
        raise Stopped(signum)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


@dataclass
class Screen:
    """Where and how to print: the width, colour, and whether to clear."""

    style: layout.Style
    clear: bool

    @property
    def columns(self) -> int:
        """The terminal's width (read each time: it may be resized), at most
        the readable measure; piped output gets the measure unless COLUMNS
        says otherwise."""
        return max(20, min(shutil.get_terminal_size((layout.MEASURE, 24)).columns, layout.MEASURE))

    def echo(self, text: str = "") -> None:
        click.echo(text, color=self.style.color)

    def lines(self, text: str, bold: bool = False) -> None:
        """Our own text (help, summaries), wrapped at words to the width."""
        for line in layout.wrap(text, self.columns):
            self.echo(self.style.bold(line) if bold else line)

    def text(self, text: str, bold: bool = False) -> None:
        """Card text: sanitized, wrapped at words, highlights rendered."""
        for line in layout.card_lines(_sanitize_marked(text), self.columns, self.style):
            self.echo(self.style.bold(line) if bold else line)


def _sanitize_marked(text: str) -> str:
    """Sanitize card text but keep the highlight marks."""
    parts = text.split(layout.HL_OPEN)
    out = []
    for i, part in enumerate(parts):
        inner, sep, rest = part.partition(layout.HL_CLOSE) if i else ("", "", part)
        if i:
            out.append(layout.HL_OPEN + sanitize(inner) + (layout.HL_CLOSE if sep else "") + sanitize(rest))
        else:
            out.append(sanitize(part))
    return "".join(out)


def make_screen(stdout_tty: bool) -> Screen:
    """Colour and a clean screen for each card on a terminal; with NO_COLOR
    (or TERM=dumb) no escape code at all, so cards are separated by a blank
    line instead of clearing the screen."""
    style = layout.Style.detect(stdout_tty, os.environ)
    return Screen(style, clear=style.color)


def _days(days: int | None) -> str:
    if days is None:
        return "–"
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{days / 30.4:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def _next_text(days: int) -> str:
    return "next tomorrow" if days == 1 else f"next in {days} days"


@dataclass
class Loop:
    run: Any  # ReviewSession
    keys: Input
    screen: Screen
    now_day: Callable[[], int]  # the study day now, read at call time
    now_epoch: Callable[[], int]
    open_media: Callable[[Any, bool], None]
    typed_options: Any = None  # answer_check.Options
    thresholds: Any = None  # answer_check.Thresholds
    cram: bool = False
    last_echo: str = ""

    def run_session(self) -> None:
        try:
            while True:
                self._maybe_new_day()
                shown = self.run.next()
                if shown is None:
                    if not self._end_prompt():
                        return
                    continue
                self._card(shown)
        except Quit:
            return

    # --- one card ----------------------------------------------------------

    def _header(self, shown: Any) -> None:
        if self.screen.clear:
            click.clear()
        elif self.last_echo or shown.position > 1 or shown.drill:
            self.screen.echo()
        if self.last_echo:
            self.screen.echo(self.screen.style.dim(self.last_echo))
        due, new, redrill = self.run.remaining()
        if shown.drill:
            where = f"re-drill · {shown.drills_left} left"
        elif self.cram:
            where = f"cram {shown.position}/{shown.total}"
        else:
            where = f"{shown.position}/{shown.total}"
        self.screen.echo(layout.header(sanitize(shown.deck), where, due, new, redrill, self.screen.columns, self.screen.style))
        self.screen.text(shown.prompt, bold=True)
        self.screen.echo()

    def _card(self, shown: Any) -> None:
        self._header(shown)
        shown_at = time.monotonic()
        typed: list[str] | None = None
        if shown.typed and shown.expected:
            typed = self._read_typed(shown)
            if typed is None:
                return  # a command finished with the card
        else:
            if not self._reveal_prompt(shown):
                return
        seconds = time.monotonic() - shown_at
        self._show_answer(shown)
        suggestion = None
        if typed is not None:
            suggestion = self._show_comparison(shown, typed, seconds)
        self._grade(shown, shown_at, suggestion)

    def _reveal_prompt(self, shown: Any) -> bool:
        """Wait for Enter or space (any line, piped); True to show the answer,
        False when a command (bury, undo) finished with the card. ``?`` and
        ``u`` never reveal anything."""
        prompt = self.screen.style.dim("[Enter] show answer · ? help") if self.keys.interactive else "Press Enter to show the answer"
        while True:
            key = self.keys.key(prompt)
            if key in _COMMANDS:
                if self._command(shown, key, revealed=False) == "done":
                    return False
                continue
            if not self.keys.interactive or key in ("", "\r", "\n", " "):
                return True
            self.screen.echo(self.screen.style.dim(_hint(key, "Enter or space shows the answer; q quits; ? lists the keys.")))

    def _read_typed(self, shown: Any) -> list[str] | None:
        answers: list[str] = []
        count = len(shown.expected)
        while len(answers) < count:
            label = "Type the answer" if count == 1 else f"Answer {len(answers) + 1} of {count}"
            if self.keys.interactive:
                self.screen.echo(self.screen.style.dim(f"{label}, then Enter (Ctrl-D ends the session):"))
                line = self.keys.line("> ")
            else:
                line = self.keys.line(f"{label}:")
            answers.append(line)
        return answers

    def _show_answer(self, shown: Any) -> None:
        self.screen.echo(self.screen.style.dim("─" * min(self.screen.columns, 40)))
        self.screen.text(shown.answer)
        self.screen.echo()

    def _show_comparison(self, shown: Any, typed: list[str], seconds: float) -> int:
        from studycards import answer_check

        options = self.typed_options or answer_check.Options()
        if shown.ignore_accents:
            from dataclasses import replace

            options = replace(options, ignore_accents=True)
        comparison = answer_check.compare_many(typed, list(shown.expected), options)
        self.screen.echo(_comparison_line(comparison, self.screen.style))
        suggestion = answer_check.suggest(comparison, seconds, self.thresholds or answer_check.Thresholds())
        return suggestion

    def _grade(self, shown: Any, shown_at: float, suggestion: int | None) -> None:
        from studycards.review import OVER_CAP

        previews = self.run.preview(shown)
        columns = self.screen.columns
        if all(days is None for days in previews.values()):
            what = "Cram: the schedule stays as it is." if self.cram else "Re-drill: the schedule stays; 4 or 5 is done for today."
            self.screen.echo(self.screen.style.dim(layout.fit(what, columns)))
        else:
            self.screen.echo(layout.preview_line({g: _days(d) for g, d in previews.items()}, columns, self.screen.style))
        has_media = self._has_media(shown)
        self.screen.echo(layout.keys_line(columns, self.screen.style, media=has_media))
        prompt = "Grade 0-5" + (f" (Enter accepts {suggestion})" if suggestion is not None else "") + ": "
        while True:
            key = self.keys.key(prompt)
            if suggestion is not None and key in ("", "\r", "\n"):
                key = str(suggestion)
            if len(key) == 1 and key in "012345":
                elapsed = int((time.monotonic() - shown_at) * 1000)
                moved = self.run.new_day(self.now_day(), rebuild=False)
                kind = self.run.answer(shown, int(key), elapsed, self.now_epoch())
                if moved:
                    self.run.rebuild()
                self.last_echo = self._echo_for(int(key), kind)
                if kind == OVER_CAP:
                    self.last_echo = "Today's new cards were used up in another session: that card stays new."
                if not self.screen.clear:
                    self.screen.echo(self.last_echo)
                    self.last_echo = ""
                if moved:
                    self._new_day_notice()
                return
            if key in _COMMANDS:
                if self._command(shown, key, revealed=True) == "done":
                    return
                continue
            self.screen.echo(self.screen.style.dim(_hint(key, "Type a grade 0-5, or u, s, o, q, ?")))

    def _echo_for(self, grade: int, kind: str) -> str:
        last = self.run.last
        if last is None or last.due is None or kind != "review":
            if kind == "cram":
                return f"{grade} · crammed: the schedule stays"
            return f"{grade} · again this session" if grade < 4 else f"{grade} · done for today"
        text = f"{grade} · {_next_text(last.interval)}"
        if grade < 4:
            text += " · again this session"
        if last.leech:
            text += " · a leech now: " + ("tagged leech and suspended" if last.suspended else "tagged leech")
        return text + " (u undoes it)" if self.screen.clear else text

    def _has_media(self, shown: Any) -> bool:
        from studycards.media import names_in

        return bool(names_in(shown.prompt) or names_in(shown.answer))

    # --- commands ----------------------------------------------------------

    def _command(self, shown: Any, key: str, revealed: bool) -> str:
        """Handle a command key: "done" when the card is finished with,
        "stay" to ask again, "unknown" for a key that means nothing here."""
        if key in ("q", "\x1b"):
            raise Quit
        if key == "?":
            self.screen.lines(HELP)
            if shown.typed:
                from studycards import answer_check

                self.screen.lines(answer_check.describe_rules(self.thresholds or answer_check.Thresholds()))
            self.screen.echo(f"This card: {shown.card_id} (e.g. `studycards suspend {shown.card_id}`).")
            return "stay"
        if key == "s":
            self.run.bury(shown)
            self.last_echo = "Buried until tomorrow."
            if not self.screen.clear:
                self.screen.echo(self.last_echo)
                self.last_echo = ""
            return "done"
        if key == "u":
            if self.run.undo():
                self.last_echo = "Undone: the last card comes back."
                if not self.screen.clear:
                    self.screen.echo(self.last_echo)
                    self.last_echo = ""
                return "done"
            self.screen.echo(self.screen.style.dim("Nothing to undo in this session."))
            return "stay"
        if key == "o":
            self.open_media(shown, revealed)
            return "stay"
        return "unknown"

    def _end_prompt(self) -> bool:
        """At the end: u undoes the last answer (True: go on), ? helps, any
        other key finishes."""
        if not self.run.can_undo():
            return False
        if self.last_echo:
            self.screen.echo(self.screen.style.dim(self.last_echo))
            self.last_echo = ""
        while True:
            key = self.keys.key("End of session: u to undo the last answer, ? for help, any other key to finish. ")
            if key == "?":
                self.screen.echo("u brings the last card back to answer it again; any other key ends the session (everything is saved).")
                continue
            if key == "u" and self.run.undo():
                self.screen.echo("Undone: the last card comes back.")
                return True
            return False

    def _maybe_new_day(self) -> None:
        if self.run.new_day(self.now_day()):
            self._new_day_notice()

    def _new_day_notice(self) -> None:
        from studycards import clock

        self.screen.echo(f"A new study day began ({clock.day_to_date(self.run.today):%a %d %b}): today's cards are gathered again.")


_COMMANDS = ("q", "\x1b", "u", "s", "?", "o")


def _hint(key: str, text: str) -> str:
    """A short hint for a key that means nothing here; never the key itself
    when it is an escape sequence (arrows, function keys)."""
    if key.startswith("\x1b") or not key.isprintable():
        return f"That key does nothing here. {text}"
    return f"{sanitize(key)!r} does nothing here. {text}"


def _comparison_line(comparison: Any, style: layout.Style) -> str:
    """Anki-like: what was typed, its extra characters marked, and when it
    is not exact the expected answer with what was missing marked (colours
    on a terminal; ``[+x]`` and ``[x]`` without)."""
    typed, expected = [], []
    for segment in comparison.segments:
        text = sanitize(segment.text)
        if segment.kind == "same":
            typed.append(style.fg(text, "green"))
            expected.append(sanitize(segment.expected_text if segment.expected_text is not None else segment.text))
        elif segment.kind == "extra":
            typed.append(style.fg(text, "red") if style.color else f"[+{text}]")
        else:
            expected.append(style.bold(style.fg(text, "yellow")) if style.color else f"[{text}]")
    if comparison.blank:
        return "Typed: nothing"
    if comparison.exact:
        return f"Typed: {''.join(typed)}  (exact)"
    alike = f"{round(comparison.ratio * 100)}% alike"
    return f"Typed:    {''.join(typed)}  ({alike})\nExpected: {''.join(expected)}"


def print_summary(summary: Any, seconds: float, cram: bool, screen: Screen) -> None:
    if summary.nothing_due and not summary.answered and not summary.drills:
        screen.lines("Nothing to review right now." if not cram else "Nothing to cram: no studied cards are ahead of schedule.")
    elif not summary.answered and not summary.drills:
        screen.lines("Session over: no cards answered.", bold=True)
    else:
        share = round(100 * summary.correct / summary.answered) if summary.answered else 0
        minutes, secs = divmod(int(seconds), 60)
        screen.lines(
            f"Session over: {summary.answered} card{'s' if summary.answered != 1 else ''} answered, "
            f"{share}% with grade 3 or better, {summary.drills} re-drill{'s' if summary.drills != 1 else ''}, "
            f"{minutes}m {secs:02d}s.",
            bold=True,
        )
    if summary.buried:
        screen.lines(f"Buried until tomorrow: {summary.buried}.")
    if summary.due_tomorrow is not None:
        screen.lines(f"Due tomorrow: {summary.due_tomorrow}.")


__all__ = ["HELP", "Input", "Keys", "Lines", "Loop", "Quit", "Stopped", "make_screen", "print_summary", "stop_on_signals", "unmark"]
