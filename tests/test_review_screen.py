"""The review screen on a real pseudo-terminal (pexpect), at the sizes people
use, and the screen loop's rules that need no terminal (an injected clock,
piped input)."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
from freezegun import freeze_time
from helpers import db_value

from studycards import layout

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the pseudo-terminal (the test extra installs it)")

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LONG_FRONT = (
    "Which duties does a machine learning engineer take on when a model moves from a notebook into production, "
    "according to the first source article about the roles"
)
LONG_BACK = "Deploying, monitoring and retraining models, and building the data pipelines that feed them"


def _env(db_path: Path, color: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(STUDYCARDS_DB=db_value(db_path), TERM="xterm-256color", PYTHONIOENCODING="utf-8")
    if not color:
        env["NO_COLOR"] = "1"
    return env


def _spawn(db_path: Path, *args: str, columns: int = 80, color: bool = False):
    return pexpect.spawn(
        sys.executable, ["-m", "studycards", "review", *args], env=_env(db_path, color), dimensions=(40, columns), encoding="utf-8", timeout=60
    )


def _lines(text: str) -> list[str]:
    return [ANSI.sub("", line) for line in text.replace("\r\n", "\n").split("\n")]


def _reveal(child) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """Wait for the question, show the answer: (what came before the answer, the answer part)."""
    child.expect("show answer")
    question = child.before
    child.send(" ")
    child.expect("Grade 0-5")
    return question, child.before


def _finish(child) -> int:  # type: ignore[no-untyped-def]
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus


@pytest.mark.slow
@pytest.mark.parametrize("columns", [40, 80, 160])
def test_text_wraps_at_words_and_every_line_fits_the_terminal(run, db_path, columns):
    run("add", "Screen", "--front", LONG_FRONT, "--back", LONG_BACK)
    child = _spawn(db_path, "Screen", columns=columns)
    question, answer = _reveal(child)
    shown = question + answer
    child.send("4")
    child.expect("Session over|End of session")
    child.send("x")
    assert _finish(child) == 0
    lines = _lines(shown)
    assert all(layout.width(line) <= columns for line in lines), [line for line in lines if layout.width(line) > columns]
    words = {w for line in lines for w in line.split()}
    assert set(LONG_FRONT.split()) <= words and set(LONG_BACK.split()) <= words  # no word split across lines
    assert any(line.startswith("0-2") or line.startswith("0-5") for line in lines)  # the preview line is there, in the width


@pytest.mark.slow
def test_help_and_undo_on_the_question_never_show_the_answer(run, db_path):
    run("add", "Screen", "--front", "Capital of Peru", "--back", "Lima")
    child = _spawn(db_path, "Screen")
    child.expect("show answer")
    child.send("?")
    child.expect("this help")
    child.send("u")
    child.expect("Nothing to undo")
    child.send("x")  # an unknown key: a hint, still no answer
    child.expect("does nothing here")
    assert "Lima" not in child.before
    child.send("\r")
    child.expect("Grade 0-5")
    assert "Lima" in child.before
    child.send("q")
    assert _finish(child) == 0


@pytest.mark.slow
def test_each_grades_interval_is_previewed_and_the_chosen_grade_echoed(run, db_path):
    with freeze_time("2026-03-02 12:00"):
        run("add", "Screen", "--front", "q1", "--back", "a1")
        run("review", "Screen", input="\n5\n")  # studied once, due since: the grades now differ
    child = _spawn(db_path, "Screen")
    _reveal(child)
    assert "0-2 wrong 1d · 3 hard 6d · 4 hesitated 6d · 5 perfect 6d" in child.before
    child.send("5")
    child.expect("End of session")
    assert "5 · next in 6 days" in child.before
    child.send("x")
    assert _finish(child) == 0


@pytest.mark.slow
def test_a_cloze_answer_is_the_question_filled_in_and_highlighted(run, db_path):
    run("add", "Screen", "--cloze", "The capital of {{c1::Australia}} is Canberra")
    child = _spawn(db_path, "Screen", color=True)
    _, answer = _reveal(child)
    child.send("q")
    _finish(child)
    assert re.search(r"The capital of \x1b\[[0-9;]*m+(\x1b\[[0-9;]*m)*Australia\x1b\[", answer), answer
    assert "[Australia]" not in answer  # highlighted, not bracketed, on a colour terminal
    plain = _spawn(db_path, "Screen", color=False)
    _, shown = _reveal(plain)
    plain.send("q")
    _finish(plain)
    assert "The capital of [Australia] is Canberra" in shown
    assert "\x1b" not in shown  # NO_COLOR: no escape code at all, not even a screen clear


@pytest.mark.slow
def test_typed_answers_are_compared_and_a_grade_suggested(run, db_path, sql):
    run("add", "Screen", "--front", "Capital of Germany", "--back", "Berlin")
    child = _spawn(db_path, "Screen", "--type")
    child.expect("Type the answer")
    child.sendline("Berln")
    child.expect("Enter accepts 3")
    shown = _lines(child.before)
    assert any(line.startswith("Typed:") and "Berln" in line for line in shown)
    assert any(line.startswith("Expected:") and "Berl[i]n" in line for line in shown)
    child.send("\r")
    child.expect("3 · next tomorrow")
    child.expect("Type the answer")  # graded 3: the card comes back as a re-drill
    child.sendcontrol("d")  # Ctrl-D at the typed answer ends the session
    assert _finish(child) == 0
    assert sql("select grade from review_log") == [(3,)]


def test_piped_typed_answers_take_a_line_and_an_empty_line_accepts(run, sql):
    run("add", "Screen", "--front", "Capital of Germany", "--back", "Berlin")
    run("add", "Screen", "--cloze", "{{c1::Paris}} and {{c1::Lyon}} are in France")
    out = run("review", "Screen", "--type", input="berlin\n\nParis\nLion\n2\n").output
    assert "Typed: berlin  (exact)" in out and "Enter accepts 5" in out
    assert "Answer 1 of 2" in out and "Answer 2 of 2" in out
    assert sorted(sql("select grade from review_log")) == [(2,), (5,)]


@pytest.mark.slow
def test_ctrl_c_prints_the_summary_and_exits_130(run, db_path, sql):
    run("add", "Screen", "--front", "q1", "--back", "a1")
    run("add", "Screen", "--front", "q2", "--back", "a2")
    child = _spawn(db_path, "Screen")
    child.expect("show answer")
    child.send(" ")
    child.expect("Grade")
    child.send("4")
    child.expect("show answer")
    child.send("\x03")
    child.expect("Session over: 1 card answered")
    assert _finish(child) == 130
    assert "Traceback" not in child.before
    assert sql("select count(*) from review_log") == [(1,)]


@pytest.mark.slow
def test_ctrl_z_suspends_the_job_and_fg_comes_back_to_the_card(run, db_path):
    run("add", "Screen", "--front", "Capital of Peru", "--back", "Lima")
    shell = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], env={**_env(db_path, False), "PS1": "$ "}, dimensions=(40, 80), encoding="utf-8", timeout=60)
    shell.expect(r"\$ ")
    shell.sendline(f"{sys.executable} -m studycards review Screen")
    shell.expect("show answer")
    shell.send("\x1a")
    shell.expect(r"Stopped")
    shell.expect(r"\$ ")
    shell.sendline("fg")
    shell.send(" ")
    shell.expect("Grade 0-5")
    assert "Lima" in shell.before
    shell.send("q")
    shell.expect("Due tomorrow")
    shell.sendline("echo status=$?")
    shell.expect(r"status=(\d+)")
    assert shell.match.group(1) == "0"
    shell.sendline("exit")
    shell.close(force=True)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_exit_with_128_plus_the_signal_and_no_traceback(run, db_path, sig):
    run("add", "Screen", "--front", "q1", "--back", "a1")
    for _ in range(3):  # repeated: a signal never gives a traceback
        child = _spawn(db_path, "Screen")
        child.expect("show answer")
        child.kill(sig)
        child.expect(pexpect.EOF)
        child.close()
        assert (child.exitstatus if child.exitstatus is not None else 128 + child.signalstatus) == 128 + sig
        assert "Traceback" not in (child.before or "")


# --- the loop, without a terminal --------------------------------------------------------


def test_a_session_that_crosses_the_day_start_files_later_answers_under_the_new_day(add_notes, sql):
    from studycards import review_screen
    from studycards.clock import date_to_day
    from studycards.review import ReviewSession
    from studycards.settings import load
    from studycards.store import location, open_store
    from datetime import date

    add_notes("Screen", 3)
    first = date_to_day(date(2026, 3, 1))
    day = {"now": first}

    class Piped(review_screen.Input):
        """Piped lines; the day start passes while the second card is shown."""

        def __init__(self, lines: list[str]) -> None:
            self.lines = lines

        def key(self, prompt: str) -> str:
            line = self.lines.pop(0)
            if len(self.lines) == 5:  # just read the second card's grade
                day["now"] = first + 1
            return line

        line = key

    store = open_store(location.resolve(None), 0)
    try:
        session = ReviewSession(store, first, load(store), None, new_limit=5)
        notices = []
        screen = review_screen.Screen(layout.PLAIN, clear=False)
        screen.echo = lambda text="": notices.append(text)  # type: ignore[method-assign]
        keys = Piped(["", "5", "", "5", "", "4", "", "4", "x"])
        loop = review_screen.Loop(session, keys, screen, now_day=lambda: day["now"], now_epoch=lambda: 1_772_400_000, open_media=lambda *_: None)
        loop.run_session()
    finally:
        store.close()
    # the answer given after the day start counts for the new day, and the new day's queue has the
    # first card (answered yesterday, due today) and the third
    assert [d for (d,) in sql("select study_day from review_log order by id")] == [first, first + 1, first + 1, first + 1]
    assert any("A new study day began" in line for line in notices)  # said in one line


def test_time_counted_for_an_answer_is_capped(run, sql, add_notes):
    add_notes("Screen", 1)
    from studycards.review import ReviewSession
    from studycards.settings import load
    from studycards.store import location, open_store

    store = open_store(location.resolve(None), 0)
    try:
        session = ReviewSession(store, 20513, load(store), None, new_limit=1)
        shown = session.next()
        session.answer(shown, 4, 40 * 60 * 1000, 1_772_400_000)  # left open 40 minutes
    finally:
        store.close()
    assert sql("select answer_ms from review_log") == [(60_000,)]


def test_quitting_before_any_answer_says_so(run, add_notes):
    add_notes("Screen", 1)
    out = run("review", "Screen", input="q\n").output
    assert "Session over: no cards answered." in out and "0% with grade" not in out


def test_a_cram_session_is_labelled(run, add_notes):
    add_notes("Screen", 1)
    with freeze_time("2026-03-02 12:00"):
        run("review", "Screen", input="\n5\n")
        out = run("review", "Screen", "--cram", input="\n4\n").output
    assert "· cram 1/1 " in out


def test_a_leech_is_announced_when_it_happens(run, add_notes, sql):
    add_notes("Screen", 1)
    run("config", "leech-threshold", "1")
    with freeze_time("2026-03-02 12:00"):
        run("review", "Screen", input="\n5\n")
    with freeze_time("2026-03-03 12:00"):
        out = run("review", "Screen", input="\n1\n\n5\n").output
    assert "a leech now: tagged leech" in out


NC_DECK = """[deck]
name = "Typed"

[[note_types]]
name = "Basic (type in the answer, nc)"
fields = ["Front", "Back"]
templates = [{ name = "Card 1", question = "{{Front}}<br>{{type:nc:Back}}", answer = "{{Front}}<hr id=answer>{{type:nc:Back}}" }]

[[notes]]
id = "nc-1"
note_type = "Basic (type in the answer, nc)"

[notes.fields]
Front = "Coffee, in French"
Back = "café"
"""


def test_an_anki_type_in_the_answer_card_asks_for_it_and_nc_ignores_accents(run, sql, tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text(NC_DECK, encoding="utf-8")
    assert run("import", str(path)).exit_code == 0
    out = run("review", "Typed", input="cafe\n\n").output  # no --type: the card itself asks
    assert "Type the answer" in out and "Typed: cafe  (exact)" in out
    assert sql("select grade from review_log") == [(5,)]


def test_typed_answer_settings_say_what_counts_as_the_same(run, sql):
    run("add", "Screen", "--front", "Say hello", "--back", "Hello, world!")
    run("config", "type-ignore-punctuation", "on")
    out = run("review", "Screen", "--type", input="hello world\n\n").output
    assert "(exact)" in out
    run("config", "type-ignore-case", "off")
    run("add", "Screen2", "--front", "Capital of France", "--back", "Paris")
    out = run("review", "Screen2", "--type", input="paris\n\n").output
    assert "(exact)" not in out and "Expected:" in out


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped exception, as Python prints it
def test_a_signal_handled_inside_a_finalizer_still_ends_the_session(monkeypatch):
    """Python drops (and prints) an exception raised while it finalizes an
    object: a SIGTERM handled just then must still stop the session at its
    next prompt instead of leaving it waiting for a key."""
    import gc
    import signal

    from studycards import review_screen

    monkeypatch.setattr(review_screen, "_signalled", None, raising=False)
    previous = {name: signal.getsignal(getattr(signal, name)) for name in ("SIGTERM", "SIGHUP")}
    try:
        review_screen.stop_on_signals()

        class SignalledWhileFinalized:
            def __del__(self) -> None:
                os.kill(os.getpid(), signal.SIGTERM)  # handled here, inside the finalizer

        SignalledWhileFinalized()
        gc.collect()
        with pytest.raises(review_screen.Stopped) as stopped:
            review_screen.Lines().key("[Enter] show answer")
        assert stopped.value.signum == signal.SIGTERM
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
