"""The command line: parse arguments, call one service, print the result.

Only click is imported at module level: ``studycards --help`` must stay
instant, so the store and the services are imported inside the commands
that need them. Card text is untrusted and always goes through
``text.sanitize`` before it reaches the terminal.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import click

from studycards import __version__
from studycards.errors import DatabaseError, InvalidValue, StudycardsError
from studycards.text import sanitize, unmark

if TYPE_CHECKING:
    from pathlib import Path

    from studycards.settings import Settings
    from studycards.store import Store

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _json(data: Any) -> str:
    """JSON for scripts: exact text, with every character that could steer a
    terminal (controls are escaped by json itself; bidi marks here) escaped."""
    from studycards import jsonout

    text = jsonout.dumps(data)
    for char in _BIDI:
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _color_allowed() -> bool | None:
    return False if os.environ.get("NO_COLOR") else None


def echo(message: str = "", err: bool = False, **style: Any) -> None:
    """Print, styled only on a terminal and when NO_COLOR is not set."""
    if style and _color_allowed() is not False:
        message = click.style(message, **style)
    click.echo(message, err=err, color=_color_allowed())


class _App(NamedTuple):
    db_option: str | None


class _Env(NamedTuple):
    """The open collection for one command, and the clock read once."""

    path: "Path"
    store: "Store"
    settings: "Settings"
    today: int
    now_epoch: int


def _notice(text: str) -> None:
    """A one-sentence notice on standard error, wrapped at words on a terminal."""
    if sys.stderr.isatty():
        import shutil
        import textwrap

        text = textwrap.fill(text, width=max(20, shutil.get_terminal_size((80, 24)).columns), break_long_words=False, break_on_hyphens=False)
    click.echo(text, err=True)


def _open(ctx: click.Context, kit: bool = True) -> _Env:
    """Open the collection once per command (creating, upgrading and loading
    the built-in decks when needed) and read the clock once. With ``kit``
    False a new collection starts without the built-in decks."""
    from studycards import builtin, clock, settings
    from studycards.store import location, open_store

    app: _App = ctx.find_object(_App)
    try:
        path = location.resolve(app.db_option)
    except location.LocationError as err:
        raise click.UsageError(str(err)) from err
    now = clock.now()
    now_epoch = clock.epoch_seconds(now)
    created = not isinstance(path, location.ServerLocation) and not path.exists()
    if created:
        folder = "" if path.parent.exists() else " (and its folder)"
        _notice(f"Creating a new collection at {sanitize(str(path))}{folder}.")
    store = open_store(path, now_epoch)
    try:
        if created and not kit:
            builtin.leave_out(store)
            _notice("The built-in decks are not loaded into a collection made by import (`studycards builtin --restore` adds them).")
        if builtin.needs_sync(store):
            first = builtin.first_load(store)
            reports = builtin.sync(store, now_epoch)
            if first and reports:
                cards = sum(r.cards_added for r in reports)
                _notice(
                    f"Loaded {len(reports)} built-in decks ({cards} cards) to start with;"
                    " delete any with `studycards delete --deck NAME` (`studycards builtin` lists them)."
                )
            retired = [r for r in reports or () if r.notes_retired]
            if retired:
                count, cards = sum(r.notes_retired for r in retired), sum(r.cards_retired for r in retired)
                _notice(
                    f"This release of the built-in decks retired {count} note{'s' if count != 1 else ''}"
                    f" ({cards} card{'s' if cards != 1 else ''}) that other notes now ask:"
                    f" {', '.join(f'{sanitize(r.deck)} {r.notes_retired}' for r in retired)}."
                )
        current = settings.load(store)
    except BaseException:
        store.close()
        raise
    ctx.call_on_close(store.close)
    return _Env(path, store, current, clock.study_day(now, current.day_start_hour), now_epoch)


def _deck_names(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Deck names must be non-empty text without control characters, with
    no empty level between ``::`` separators; spaces around levels go."""
    from studycards.decktree import check_name

    names = value if isinstance(value, tuple) else (value,)
    checked = []
    for name in names:
        if name is None:
            checked.append(name)
            continue
        if sanitize(name) != name or "\n" in name or "\t" in name:
            raise click.BadParameter(f"{name!r} contains control characters")
        try:
            checked.append(check_name(name))
        except InvalidValue as err:
            raise click.BadParameter(str(err)) from err
    return tuple(checked) if isinstance(value, tuple) else checked[0]


def _complete_store(ctx: click.Context):  # type: ignore[no-untyped-def]
    """The collection for shell completion, or None: completion never
    creates, migrates or prints anything."""
    from studycards.store import location, open_existing

    root = ctx.find_root()
    try:
        return open_existing(location.resolve(root.params.get("db_option")))
    except location.LocationError:
        return None


def _complete_decks(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Deck names for shell completion, matched regardless of case."""
    store = _complete_store(ctx)
    if store is None:
        return []
    try:
        names = [name for _, name in store.decks.all()]
    finally:
        store.close()
    return [name for name in names if name.casefold().startswith(incomplete.casefold())]


def _complete_ids(column: int) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of card ids (``column`` 0 of a listing row) or note
    ids (column 13), each with its card's front as a hint."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        store = _complete_store(ctx)
        if store is None:
            return []
        try:
            rows = store.cards.listing(None, 0, False, limit=2000)
        finally:
            store.close()
        hints = {str(r[column]): sanitize(r[4])[:60] for r in reversed(rows)}  # the first card's front wins
        ordered = dict.fromkeys(str(r[column]) for r in rows)
        return [CompletionItem(i, help=hints[i]) for i in ordered if i.startswith(incomplete)][:200]

    return complete


_complete_cards, _complete_notes = _complete_ids(0), _complete_ids(13)


def _complete_settings(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from studycards import settings

    keys = settings.DECK_KEYS if ctx.params.get("deck") else settings.SPECS
    return [key for key in keys if key.startswith(incomplete)]


def _friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors (database errors included: the store maps them)
    into one line and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StudycardsError as err:
            raise click.ClickException(sanitize(str(err))) from err

    return wrapper


@click.group(invoke_without_command=True)
@click.option(
    "--db",
    "db_option",
    metavar="PATH|URL",
    help="Database: a SQLite file, or a postgresql:// URL (default: $STUDYCARDS_DB, else your user data folder).",
)
@click.version_option(__version__, prog_name="studycards")
@click.pass_context
def cli(ctx: click.Context, db_option: str | None) -> None:
    """Flashcards with exact SM-2 spaced repetition, in your terminal.

    Run without a command to see today at a glance; `studycards review`
    starts a session.
    """
    if db_option is not None and not db_option.strip():
        raise click.BadParameter("an empty path; leave --db out to use the default collection", param_hint="--db")
    ctx.obj = _App(db_option)
    if ctx.invoked_subcommand is None:
        ctx.invoke(overview)


@click.command(hidden=True)
@click.pass_context
@_friendly_errors
def overview(ctx: click.Context) -> None:
    from studycards import clock, decks

    env = _open(ctx)
    today = decks.today_overview(env.store, env.today, env.settings)
    day = clock.day_to_date(env.today)
    echo(f"studycards · study day {day:%a %d %b %Y}", bold=True)
    if not today.decks:
        echo("No decks yet. Add one with `studycards add` or `studycards import`.")
        return
    rows = [[_tree_label(d.name, d.depth), d.due, d.new, d.redrill] for d in today.decks]
    due, new, redrill, streak = today.due, today.new, today.redrill, today.streak
    if sum(1 for d in today.decks if d.depth == 0) > 1:
        rows.append(["All decks", due, new, redrill])
    _table(["Deck", "Due", "New", "Re-drill"], rows, numeric={1, 2, 3}, flex={0: 1})
    echo(f"New cards left today: {today.new_room} of {env.settings.new_per_day}.  Streak: {streak} day{'s' if streak != 1 else ''}.")
    if due + new + redrill:
        echo("Run `studycards review` to study.", fg="green")
    else:
        echo("All done for today.", fg="green")


def _tree_label(name: str, depth: int) -> str:
    """A deck in a tree view: its last level, indented by its depth."""
    from studycards.decktree import leaf

    return "  " * depth + leaf(name)


def _table(headers: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(), flex: dict[int, int] | None = None) -> None:
    """An aligned table that fits the terminal: the ``flex`` text columns
    (index -> weight) share the width left over and are cut with an ellipsis."""
    import shutil

    cells = [[sanitize(str(c)).replace("\n", " ") for c in row] for row in rows]
    size = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    flex = flex or {}
    fixed = sum(w for i, w in enumerate(size) if i not in flex) + 2 * (len(headers) - 1)
    room = shutil.get_terminal_size((100, 24)).columns - fixed
    if flex and sum(size[i] for i in flex) > room:
        total = sum(flex.values())
        for i, weight in flex.items():
            size[i] = max(len(headers[i]), 6, min(size[i], room * weight // total))
    for row in cells:
        for i in flex:
            if len(row[i]) > size[i]:
                row[i] = row[i][: size[i] - 1] + "…"

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(size[i]) if i in numeric else v.ljust(size[i]) for i, v in enumerate(values)).rstrip()

    echo(line(headers), bold=True)
    if cells:
        echo("\n".join(line(row) for row in cells))  # one write for thousands of rows


cli.add_command(overview)


@cli.command()
@click.argument("decks", nargs=-1, callback=_deck_names, shell_complete=_complete_decks)
@click.option("--new", "new_limit", type=click.IntRange(0, 9999), help="New cards for this session (instead of the daily limit).")
@click.option("--limit", type=click.IntRange(0, 99999), help="Most cards in this session (instead of the daily limit).")
@click.option("--cram", is_flag=True, help="Review cards that are not due yet, without changing their schedule.")
@click.option("--type", "type_answers", flag_value=True, default=None, help="Type each answer before it is shown; a grade is suggested.")
@click.option("--no-type", "type_answers", flag_value=False, help="Do not type answers this session, whatever the settings say.")
@click.pass_context
@_friendly_errors
def review(ctx: click.Context, decks: tuple[str, ...], new_limit: int | None, limit: int | None, cram: bool, type_answers: bool | None) -> None:
    """Review today's cards in DECKS (all decks if none are named).

    Due cards come first (most overdue first), then new cards. Press Enter
    or space to see the answer, then grade yourself 0-5; each grade's next
    interval is shown before you choose. In a terminal keys act at once;
    with piped input each card takes one line to reveal (or the typed
    answer) and one line for the grade or command.
    """
    from studycards import answer_check, clock, review_screen
    from studycards.decks import resolve_decks
    from studycards.review import ReviewSession

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks)
    run = ReviewSession(env.store, env.today, env.settings, deck_ids, new_limit, limit, cram, type_answers=type_answers)
    keys: review_screen.Input = review_screen.Keys() if sys.stdin.isatty() else review_screen.Lines()
    screen = review_screen.make_screen(sys.stdout.isatty())
    hour = env.settings.day_start_hour
    loop = review_screen.Loop(
        run,
        keys,
        screen,
        now_day=lambda: clock.study_day(clock.now(), hour),
        now_epoch=lambda: clock.epoch_seconds(clock.now()),
        open_media=lambda shown, revealed: _open_media(env.store, shown, revealed),
        typed_options=answer_check.Options(
            ignore_case=env.settings.type_ignore_case == "on",
            ignore_accents=env.settings.type_ignore_accents == "on",
            ignore_punctuation=env.settings.type_ignore_punctuation == "on",
        ),
        thresholds=answer_check.Thresholds(
            quick_seconds=float(env.settings.type_quick_seconds),
            typo_ratio=env.settings.type_typo_percent / 100,
            close_ratio=env.settings.type_close_percent / 100,
        ),
        cram=cram,
    )
    started = time.monotonic()
    review_screen.stop_on_signals()
    status = 0
    failure: DatabaseError | None = None
    try:
        loop.run_session()
    except KeyboardInterrupt:
        status = 130
    except EOFError:
        pass
    except review_screen.Stopped as stopped:
        status = 128 + stopped.signum
    except DatabaseError as err:  # the server went away: say so, then what was saved
        failure, status = err, 1
    try:
        if status:
            echo()
        if failure is not None:
            echo(f"Error: {sanitize(str(failure))}", err=True)
        review_screen.print_summary(run.summary(), time.monotonic() - started, cram, screen)
    except OSError:
        pass  # the terminal is gone (SIGHUP): the answers are already saved
    except (review_screen.Stopped, KeyboardInterrupt):
        pass
    if status:
        ctx.exit(status)


def _open_media(store: Any, shown: Any, revealed: bool) -> None:
    """Open the media files the card shows (its question, and its answer
    once revealed) with the system's viewer or player."""
    from studycards import media

    names = media.names_in(shown.prompt) + (media.names_in(shown.answer) if revealed else [])
    if not names:
        echo("This card has no images or sounds.", fg="yellow")
        return
    for name in dict.fromkeys(names):
        path = media.path_of(store, name)
        if path is None:
            echo(f"{sanitize(name)} is not in the collection's media folder.", fg="yellow")
        elif click.launch(str(path)) != 0:
            echo(f"Could not open {sanitize(name)} ({sanitize(str(path))}).", fg="yellow")


@cli.command()
@click.argument("targets", nargs=-1, required=True, metavar="FILE_OR_DECK...", shell_complete=_complete_decks)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--rule", "rules", multiple=True, metavar="RULE", help="Check only this rule (repeatable); `--rule all` checks every rule, unexplained-disable included.")
@click.option("--strict", is_flag=True, help="Also report a disabled rule that gives no reason (unexplained-disable).")
@click.pass_context
@_friendly_errors
def lint(ctx: click.Context, targets: tuple[str, ...], as_json: bool, rules: tuple[str, ...], strict: bool) -> None:
    """Check cards against the rules of good cards (Woźniak's twenty rules):
    deck files, or decks of your collection by name, checked together.

    Prints `file:line: rule: message` for each finding and exits 1 if there is
    any. Disable a rule for one note with a comment line `# lint:
    disable=RULE -- reason` inside its [[notes]] table, or for a file with
    `# lint: disable-file=RULE -- reason`. Rules: near-duplicate,
    answer-in-prompt, two-way, enumeration, too-long, predictable-cloze,
    empty-side, cloze-without-deletion, invalid-disable, unexplained-disable.
    """
    from pathlib import Path

    from studycards import lint as linter

    enabled: set[str] | None = None
    if rules:
        enabled = set(linter.RULES) if "all" in rules else set(rules)
        unknown = sorted(enabled - set(linter.RULES))
        if unknown:
            raise click.BadParameter(f"unknown rule {unknown[0]!r}; rules are: {', '.join(linter.RULES)}", param_hint="--rule")
    if strict:
        enabled = (set(enabled) if enabled is not None else set(linter.DEFAULT_RULES)) | {"unexplained-disable"}
    sources = []
    decks = [t for t in targets if not Path(t).exists()]
    for target in targets:
        if Path(target).exists():
            if Path(target).is_dir():
                raise click.BadParameter(f"{target} is a folder: name its deck files", param_hint="FILE_OR_DECK")
            sources.append(linter.load_file(Path(target)))
    if decks:
        from studycards import exporting
        from studycards.decks import resolve_decks

        env = _open(ctx)
        deck_ids = resolve_decks(env.store, decks)
        sources += linter.load_decks(exporting.collect(env.store, deck_ids or [], False))
    findings = linter.lint_sources(sources, enabled)
    if as_json:
        click.echo(linter.to_json(findings))
    else:
        for finding in findings:
            echo(sanitize(linter.format_finding(finding)))
        if findings:
            echo(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}.", err=True)
    if findings:
        ctx.exit(1)


@cli.command("decks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@_friendly_errors
def decks_command(ctx: click.Context, as_json: bool) -> None:
    """List decks with their total, new, due-today and suspended cards."""
    from studycards.decks import deck_summaries

    env = _open(ctx)
    summaries = deck_summaries(env.store, env.today)
    if as_json:
        keys = ("name", "description", "total", "new", "due", "suspended")
        click.echo(_json([{k: getattr(s, k) for k in keys} for s in summaries]))
        return
    if not summaries:
        echo("No decks yet.")
        return
    rows = [[_tree_label(s.name, s.depth), *s.rolled] for s in summaries]
    _table(["Deck", "Total", "New", "Due", "Suspended"], rows, numeric={1, 2, 3, 4})


@cli.command()
@click.argument("deck", callback=_deck_names, shell_complete=_complete_decks)
@click.option("--front", help="The question side.")
@click.option("--back", help="The answer side (with --cloze: extra text shown with the answer).")
@click.option("--reverse", is_flag=True, help="Also make a card that asks back -> front.")
@click.option("--cloze", help='Cloze text in Anki syntax, e.g. "The {{c1::answer}} is {{c2::here::hint}}".')
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.pass_context
@_friendly_errors
def add(ctx: click.Context, deck: str, front: str | None, back: str | None, reverse: bool, cloze: str | None, tags: tuple[str, ...]) -> None:
    """Add a note to DECK (created if missing)."""
    from studycards import notes

    try:  # a malformed argument is a usage error, before the collection is opened
        notes.command_line_fields(front=front, back=back, cloze=cloze, reverse=reverse, tags=list(tags))
    except InvalidValue as err:
        raise click.UsageError(str(err)) from err
    env = _open(ctx)
    added = notes.add_note(env.store, deck, front=front, back=back, cloze=cloze, reverse=reverse, tags=list(tags), now_epoch=env.now_epoch)
    ids = ", ".join(str(i) for i in added.card_ids)
    echo(f"Added note {added.note_id} to {sanitize(added.deck)!r}: card{'s' if len(added.card_ids) != 1 else ''} {ids}.")


_QUERY_HELP = 'A search query, e.g. "deck:Spanish is:due", "tag:verb -is:new", "prop:lapses>3" (see the README).'


@cli.command(context_settings={"ignore_unknown_options": True})  # "-tag:x" is a search term, not an option
@click.argument("query", nargs=-1)
@click.option("--deck", "decks", multiple=True, callback=_deck_names, shell_complete=_complete_decks, help="Only this deck and its sub-decks (repeatable).")
@click.option("--due", "due_only", is_flag=True, help="Only cards due today.")
@click.option("--limit", type=click.IntRange(0, 2**63 - 1), help="At most this many cards.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@click.pass_context
@_friendly_errors
def cards(ctx: click.Context, query: tuple[str, ...], decks: tuple[str, ...], due_only: bool, limit: int | None, as_json: bool) -> None:
    """List the cards matching QUERY (all cards if none), with their note
    id, card id and scheduling state.

    QUERY uses a subset of Anki's search syntax: words and "quoted
    phrases", deck:NAME, tag:NAME, is:new|due|review|suspended|buried|leech,
    prop:ivl>=N, prop:due<=N, prop:lapses>N, prop:ease<2.0, added:N,
    rated:N, -term for not, "or", and parentheses.
    """
    from dataclasses import asdict

    from studycards.cards import list_matching
    from studycards.decks import resolve_decks

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks)
    rows = list_matching(env.store, " ".join(query), env.today, env.settings.day_start_hour, limit, deck_ids=deck_ids, due_only=due_only)
    if as_json:
        click.echo(_json([dict(vars(r)) for r in rows]))  # flat records: vars() is asdict without its deep copies
        return
    if not rows:
        echo("No cards.")
        return
    table = [
        [r.note, r.id, r.deck, r.front, r.back, " ".join(r.tags), r.repetitions, f"{r.easiness:.2f}", r.interval, r.due or "new", r.lapses, "yes" if r.suspended else ""]
        for r in rows
    ]
    headers = ["Note", "Card", "Deck", "Front", "Back", "Tags", "Reps", "Ease", "Ivl", "Due", "Lapses", "Susp"]
    _table(headers, table, numeric={0, 1, 6, 7, 8, 10}, flex={2: 2, 3: 4, 4: 3, 5: 1})


def _targets(env: _Env, ids: tuple[int, ...], query: str | None) -> list[int]:
    """Card ids given, or found by ``--query``; not both, not neither."""
    from studycards.cards import find_cards, known_cards

    if ids and query is not None:
        raise click.UsageError("give card ids or --query, not both")
    if query is not None:
        found = find_cards(env.store, query, env.today, env.settings.day_start_hour)
        if not found:
            raise click.ClickException(f"no card matches {sanitize(query)!r}")
        return found
    if not ids:
        raise click.UsageError("give card ids, or --query QUERY")
    return known_cards(env.store, list(ids))


def _suspend(ctx: click.Context, card_ids: tuple[int, ...], query: str | None, flag: bool) -> None:
    from studycards.cards import set_suspended

    env = _open(ctx)
    changed = set_suspended(env.store, _targets(env, card_ids, query), flag)
    verb = "Suspended" if flag else "Unsuspended"
    echo(f"{verb} {changed} card{'s' if changed != 1 else ''}.")


@cli.command()
@click.argument("card_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1), shell_complete=_complete_cards)
@click.option("-q", "--query", help=_QUERY_HELP)
@click.pass_context
@_friendly_errors
def suspend(ctx: click.Context, card_ids: tuple[int, ...], query: str | None) -> None:
    """Suspend cards (by id, or all that --query finds) so they are never
    shown until unsuspended."""
    _suspend(ctx, card_ids, query, True)


@cli.command()
@click.argument("card_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1), shell_complete=_complete_cards)
@click.option("-q", "--query", help=_QUERY_HELP)
@click.pass_context
@_friendly_errors
def unsuspend(ctx: click.Context, card_ids: tuple[int, ...], query: str | None) -> None:
    """Unsuspend cards (by id, or all that --query finds)."""
    _suspend(ctx, card_ids, query, False)


def _confirm(question: str, yes: bool) -> None:
    """Ask in a terminal; without one, only --yes goes ahead."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.UsageError("this asks for confirmation: run it in a terminal, or pass --yes")
    if not click.confirm(question, default=False):
        raise click.ClickException("nothing was deleted")


@cli.command()
@click.argument("note_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1), shell_complete=_complete_notes)
@click.option("--deck", "decks", multiple=True, callback=_deck_names, shell_complete=_complete_decks, help="Delete this deck with its sub-decks (repeatable).")
@click.option("-q", "--query", help="Delete the notes of the cards this search finds. " + _QUERY_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
@_friendly_errors
def delete(ctx: click.Context, note_ids: tuple[int, ...], decks: tuple[str, ...], query: str | None, yes: bool) -> None:
    """Delete notes by id (with their cards), the notes that --query finds,
    or whole decks with --deck (with their sub-decks). Asks first;
    `studycards undo` brings everything back, progress and history included."""
    from studycards import deleting
    from studycards.cards import find_cards, notes_of

    if not decks and not note_ids and query is None:
        raise click.UsageError("nothing to delete: name decks with --deck, give note ids, or --query")
    env = _open(ctx)
    if query is not None:
        found = find_cards(env.store, query, env.today, env.settings.day_start_hour)
        if not found:
            raise click.ClickException(f"no card matches {sanitize(query)!r}")
        note_ids = (*note_ids, *notes_of(env.store, found))
    deck_ids, ids, removal = deleting.plan(env.store, list(decks), list(dict.fromkeys(note_ids)))
    what = _removal_text(removal)
    _confirm(f"Delete {what}?", yes)
    deleting.delete(env.store, deck_ids, ids, env.now_epoch)
    echo(f"Deleted {what}. Undo with `studycards undo`.")


def _removal_text(removal: Any) -> str:
    def n(count: int, word: str) -> str:
        return f"{count:,} {word}{'s' if count != 1 else ''}"

    return f"{sanitize(removal.description)}: {n(removal.notes, 'note')}, {n(removal.cards, 'card')}, {n(removal.reviews, 'review')}"


@cli.command()
@click.pass_context
@_friendly_errors
def undo(ctx: click.Context) -> None:
    """Undo the last deletion: decks, notes and cards come back with their
    progress and review history."""
    from studycards import deleting

    env = _open(ctx)
    echo(f"Restored {_removal_text(deleting.undo(env.store))}.")


@cli.command()
@click.argument("old", callback=_deck_names, shell_complete=_complete_decks)
@click.argument("new", callback=_deck_names, shell_complete=_complete_decks)
@click.pass_context
@_friendly_errors
def rename(ctx: click.Context, old: str, new: str) -> None:
    """Rename deck OLD to NEW, with its sub-decks; a new path moves it in the
    tree ("Spanish" -> "Languages::Spanish")."""
    from studycards import deleting

    env = _open(ctx)
    before, after, count = deleting.rename(env.store, old, new)
    subs = f" (and {count - 1} sub-deck{'s' if count != 2 else ''})" if count > 1 else ""
    echo(f"Renamed {sanitize(before)!r} to {sanitize(after)!r}{subs}.")


@cli.command("builtin")
@click.option("--restore", is_flag=True, help="Load the built-in decks you deleted again (as new cards).")
@click.pass_context
@_friendly_errors
def builtin_command(ctx: click.Context, restore: bool) -> None:
    """List the built-in decks and what became of them; --restore brings
    deleted ones back."""
    from studycards import builtin

    env = _open(ctx)
    if restore:
        back = builtin.restore(env.store, env.now_epoch)
        echo(f"Loaded again: {', '.join(sanitize(n) for n in back)}." if back else "No built-in deck is deleted.")
        return
    for shipped, current in builtin.status(env.store):
        state = "deleted (`studycards builtin --restore` loads it again)" if current is None else ("" if current == shipped else f"renamed to {sanitize(current)!r}")
        echo(f"{sanitize(shipped)}" + (f": {state}" if state else ""))


@cli.group()
def tag() -> None:
    """Add or remove tags on the notes of cards (by id, or all that --query finds)."""


def _retag(ctx: click.Context, tags: tuple[str, ...], card_ids: tuple[int, ...], query: str | None, adding: bool) -> None:
    from studycards.cards import notes_of, retag

    env = _open(ctx.parent)  # type: ignore[arg-type]
    notes = notes_of(env.store, _targets(env, card_ids, query))
    changed = retag(env.store, notes, list(tags) if adding else [], [] if adding else list(tags))
    echo(f"{'Tagged' if adding else 'Untagged'} {changed} note{'s' if changed != 1 else ''}.")


@tag.command("add")
@click.argument("tags", nargs=-1, required=True)
@click.option("--card", "card_ids", multiple=True, type=click.IntRange(1, 2**63 - 1), help="A card whose note gets the tags (repeatable).")
@click.option("-q", "--query", help=_QUERY_HELP)
@click.pass_context
@_friendly_errors
def tag_add(ctx: click.Context, tags: tuple[str, ...], card_ids: tuple[int, ...], query: str | None) -> None:
    """Add TAGS to the notes of the cards given by --card or --query."""
    _retag(ctx, tags, card_ids, query, True)


@tag.command("remove")
@click.argument("tags", nargs=-1, required=True)
@click.option("--card", "card_ids", multiple=True, type=click.IntRange(1, 2**63 - 1), help="A card whose note loses the tags (repeatable).")
@click.option("-q", "--query", help=_QUERY_HELP)
@click.pass_context
@_friendly_errors
def tag_remove(ctx: click.Context, tags: tuple[str, ...], card_ids: tuple[int, ...], query: str | None) -> None:
    """Remove TAGS (any case) from the notes of the cards given by --card or --query."""
    _retag(ctx, tags, card_ids, query, False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@_friendly_errors
def info(ctx: click.Context, as_json: bool) -> None:
    """Where the collection is, how big it is and what it holds."""
    from studycards.store import migrations

    env = _open(ctx)
    counts = env.store.totals()
    size = env.store.size_bytes()
    data = {"database": str(env.path), "bytes": size, **counts, "schema": migrations.names()[-1]}
    if as_json:
        click.echo(_json(data))
        return
    echo(f"Database: {sanitize(str(env.path))} ({size / 1024**2:.1f} MiB)")
    echo(", ".join(f"{n:,} {k}" for k, n in counts.items()) + f"; schema {data['schema']}.")


@cli.command()
@click.argument("key", required=False, shell_complete=_complete_settings)
@click.argument("value", required=False)
@click.option("--deck", callback=_deck_names, shell_complete=_complete_decks, help="A deck's own option (new-per-day, type-answers, scheduler); VALUE 'default' follows the global setting again.")
@click.option("--reschedule", is_flag=True, help="With `scheduler fsrs`: also move studied cards' due days to FSRS's (otherwise each keeps its due day until it is next answered).")
@click.pass_context
@_friendly_errors
def config(ctx: click.Context, key: str | None, value: str | None, deck: str | None, reschedule: bool) -> None:
    """Show all settings, show one KEY, or set KEY to VALUE.

    Settings: new-per-day, reviews-per-day, day-start-hour, max-interval,
    leech-threshold, leech-action (tag or suspend), max-answer-seconds,
    type-answers (off or on), the typed answers' grade thresholds, and the
    scheduler (sm2 or fsrs) with FSRS's desired-retention and fsrs-fuzz.
    With --deck, the deck's own value (its sub-decks follow it) of
    new-per-day, type-answers or scheduler: `config --deck Spanish
    new-per-day 10`. Switching to fsrs computes each studied card's memory
    from its history and says how many due days would move; --reschedule
    moves them.
    """
    from studycards import settings

    env = _open(ctx)
    keys = settings.DECK_KEYS if deck else settings.SPECS
    if key is not None and key not in keys:
        where = "deck options are" if deck else "settings are"
        raise click.BadParameter(f"unknown {'deck option' if deck else 'setting'} {key!r}; {where}: {', '.join(keys)}", param_hint="KEY")
    if reschedule and not (key == "scheduler" and value is not None):
        raise click.UsageError("--reschedule goes with `config scheduler fsrs` (or `config --deck DECK scheduler fsrs`)")
    if key == "scheduler" and value is not None and value.strip().lower() != "default":
        _switch_scheduler(env, deck, value.strip().lower(), reschedule)
        return
    if deck:
        try:
            for option in [key] if key else list(settings.DECK_KEYS):
                name, shown = settings.deck_option(env.store, deck, option, value)
                echo(f"{sanitize(name)}: {option} = {shown}")
        except InvalidValue as err:
            raise click.BadParameter(str(err), param_hint="VALUE") from err
        return
    if value is not None:
        try:
            stored = settings.store_value(env.store, key, value)  # type: ignore[arg-type]
        except InvalidValue as err:
            raise click.BadParameter(str(err), param_hint="VALUE") from err
        echo(f"{key} = {stored}")
        return
    values = settings.raw_values(env.store)
    for name, raw in values.items():
        if key is None or name == key:
            echo(f"{name} = {raw}" + ("" if key else f"    # {settings.SPECS[name].help}"))


def _switch_scheduler(env: _Env, deck: str | None, to: str, reschedule: bool) -> None:
    from studycards import scheduling, settings

    try:
        settings.parse("scheduler", to)
    except InvalidValue as err:
        raise click.BadParameter(str(err), param_hint="VALUE") from err
    bar = _progress_bar("FSRS memory states", "cards")
    try:
        done = scheduling.switch(env.store, env.settings, deck, to, reschedule, bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    where = f"{sanitize(deck)} (and its sub-decks)" if deck else "all decks"
    echo(f"Scheduler for {where}: {to}.")
    if to != "fsrs":
        echo("SM-2 goes on from each card's SM-2 state, kept up to date under FSRS; no due day moved.")
        return
    computed = done.from_history + done.from_sm2
    if computed:
        echo(f"{computed:,} studied card{'s' if computed != 1 else ''} got an FSRS memory state: {done.from_history:,} from their own answers, {done.from_sm2:,} from their SM-2 state (no usable history).")
    if done.moved:
        echo(f"Moved {done.moved:,} due day{'s' if done.moved != 1 else ''} to FSRS's.")
    elif done.would_move:
        echo(
            f"FSRS would move {done.would_move:,} due day{'s' if done.would_move != 1 else ''}; each card keeps its due day until it is next answered."
            " Run the same command with --reschedule to move them now."
        )


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--deck", callback=_deck_names, shell_complete=_complete_decks, help="Put every imported note in this deck.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "text", "csv", "tsv", "apkg", "colpkg", "json"]),
    help="The file's format (default: from its extension and content).",
)
@click.option(
    "--separator",
    metavar="SEP",
    help="Text files: the separator (tab, comma, semicolon, pipe, colon, space, or the character itself), "
    "instead of the file's #separator: header or a guess.",
)
@click.option("--partial", is_flag=True, help="Text files: import the valid lines of a file that does not look like a table of notes.")
@click.option(
    "--columns",
    metavar="LIST",
    help="Text files: what each column is, comma-separated: front, back, tags, deck, guid, - (ignored) or a field name "
    "(for example front,back,-,tags).",
)
@click.option("--header", is_flag=True, help="Text files: the first row names the fields.")
@click.option("--dry-run", is_flag=True, help="Show what would change without writing anything.")
@click.pass_context
@_friendly_errors
def import_command(
    ctx: click.Context,
    file: str,
    deck: str | None,
    fmt: str | None,
    separator: str | None,
    partial: bool,
    columns: str | None,
    header: bool,
    dry_run: bool,
) -> None:
    """Import or re-import FILE: a studycards deck file (.toml), an Anki text
    export or CSV/TSV file, an Anki package (.apkg/.colpkg), or studycards JSON.

    Notes are matched by their id or GUID (else by deck and front): edited
    notes are updated in place and keep their cards' progress, and importing
    the same file again changes nothing. The whole file is checked first; any
    error leaves the database unchanged. A text file whose lines do not make
    a table of notes (a guessed separator giving uneven columns, or most
    lines unusable) is refused unless --partial asks for its valid lines.
    """
    from pathlib import Path

    from studycards import importing
    from studycards.importers.anki_text import separator_name

    if separator is not None:
        try:
            separator = separator_name(separator)
        except InvalidValue as err:
            raise click.BadParameter(str(err).removeprefix("--separator: "), param_hint="--separator") from err
    if (columns is not None or header) and fmt not in (None, "text", "csv", "tsv"):
        raise click.UsageError(f"--columns and --header are for text files, not --format {fmt}")
    env = _open(ctx, kit=False)
    try:
        report = importing.import_file(
            env.store, Path(file), env.now_epoch, dry_run, fmt, deck, separator, partial,
            columns=columns, header=header, day_start_hour=env.settings.day_start_hour,
        )
    except InvalidValue as err:
        raise click.UsageError(str(err)) from err
    head = "Dry run, nothing written. Would import" if dry_run else "Imported"
    echo(f"{head} {sanitize(file)} ({report.format}):")
    if not report.decks:
        echo("  no notes found")
    for d in report.decks:
        line = f"  {sanitize(d.deck)}: {d.added} added, {d.updated} updated, {d.unchanged} unchanged"
        if d.cards_restored:
            line += f", progress restored for {d.cards_restored} card{'s' if d.cards_restored != 1 else ''}"
        echo(line)
    if report.skipped:
        echo(f"Skipped {len(report.skipped)} note{'s' if len(report.skipped) != 1 else ''}:")
        for reason in report.skipped[:20]:
            echo(f"  {sanitize(reason)}")
        if len(report.skipped) > 20:
            echo(f"  ... and {len(report.skipped) - 20} more")
    if report.media_copied:
        from studycards import media

        echo(f"Media: {report.media_copied} file{'s' if report.media_copied != 1 else ''} kept in {sanitize(str(media.folder(env.store)))}"
             " (shown as [image: ...] or [sound: ...]; press o in a review to open them).")
    elif report.media_skipped:
        echo(f"Media: {report.media_skipped} reference{'s' if report.media_skipped != 1 else ''} to images or sounds that the file does not include"
             " (shown as [image: ...] or [sound: ...]).")


@cli.command()
@click.argument("decks", nargs=-1, callback=_deck_names, shell_complete=_complete_decks)
@click.option("--format", "fmt", type=click.Choice(["toml", "csv", "json", "apkg"]), help="Output format (default: from -o's extension; else toml for one deck, json for several).")
@click.option("-o", "--output", type=click.Path(path_type=str), help="Write to this file (or, for TOML of several decks, into this folder) instead of standard output.")
@click.option("--with-progress", is_flag=True, help="JSON only: include each card's scheduling state and review history.")
@click.option("--force", is_flag=True, help="Overwrite the output file(s) if they exist.")
@click.pass_context
@_friendly_errors
def export(ctx: click.Context, decks: tuple[str, ...], fmt: str | None, output: str | None, with_progress: bool, force: bool) -> None:
    """Export DECKS with their sub-decks (all decks if none are named) as
    studycards deck files (TOML, one per deck), Anki-compatible CSV,
    studycards JSON, or an Anki package (.apkg)."""
    from pathlib import Path

    from studycards import exporting
    from studycards.decks import resolve_decks

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks) or exporting.all_deck_ids(env.store)
    if not deck_ids:
        raise click.ClickException("there are no decks to export")
    fmt = exporting.format_for(output, fmt, several=len(deck_ids) > 1)
    specs = exporting.collect(env.store, deck_ids, with_progress)
    count = f"{len(deck_ids)} deck{'s' if len(deck_ids) != 1 else ''}"
    if fmt == "toml" and len(specs) > 1:
        if not output:
            raise click.UsageError("a TOML deck file holds one deck: name a folder with -o FOLDER for one file per deck, or use --format json")
        written = exporting.write_folder(Path(output), specs, force)
        echo(f"Exported {count} to {sanitize(output)}: {len(written)} TOML files.", err=True)
        return
    data = exporting.render(specs, fmt, with_progress, exporting.media_of(env.store, specs) if fmt == "apkg" else None)
    if output:
        exporting.write_file(Path(output), data, force)
        echo(f"Exported {count} to {sanitize(output)} ({fmt}).", err=True)
        return
    if fmt == "apkg" and sys.stdout.isatty():
        raise click.UsageError("an .apkg package is binary: write it to a file with -o FILE")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


_PAINT_STYLES = {
    "title": {"bold": True},
    "head": {"bold": True, "fg": "cyan"},
    "heat": {"fg": "green"},
    "dim": {"dim": True},
    "bar": {"fg": "green"},
}


@cli.command()
@click.argument("decks", nargs=-1, callback=_deck_names, shell_complete=_complete_decks)
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True, help="Window for the activity calendar and the charts.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with every figure, for scripts.")
@click.option("--calibration", is_flag=True, help="Also the predicted against actual recall of SM-2 and FSRS over your whole log (reads every answer: slower).")
@click.pass_context
@_friendly_errors
def stats(ctx: click.Context, decks: tuple[str, ...], days: int, as_json: bool, calibration: bool) -> None:
    """Statistics for DECKS (all decks if none are named): today, the
    collection, retention, activity, forecast, distributions, hardest cards;
    FSRS's figures for decks on FSRS; with --calibration, how well SM-2's
    and FSRS's predicted recall matched your answers."""
    from studycards import statsview
    from studycards import stats as stats_service
    from studycards.decks import resolve_decks

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks)
    figures = stats_service.gather(env.store, env.today, days, deck_ids, env.settings)
    if calibration:
        figures.calibration = stats_service.calibration(env.store, deck_ids)
    if as_json:
        data = figures.to_json()
        data["decks"] = list(decks) or None
        click.echo(_json(data))
        return
    use_colour = _color_allowed() is not False and _stdout_is_terminal()

    def paint(text: str, role: str) -> str:
        return click.style(text, **_PAINT_STYLES[role]) if use_colour and text else text

    scope = ", ".join(decks) if decks else "all decks"
    for line in statsview.render(figures, scope, paint):
        click.echo(line, color=use_colour)


@cli.command("copy")
@click.option("--to", "target", required=True, metavar="PATH|URL", help="Where to copy the collection: a SQLite file or a postgresql:// URL.")
@click.option("--replace", is_flag=True, help="Replace what the target holds (it must be empty otherwise).")
@click.pass_context
@_friendly_errors
def copy_collection(ctx: click.Context, target: str, replace: bool) -> None:
    """Copy the whole collection, progress and history included, to another
    database: from a SQLite file to a PostgreSQL server and back. The copy
    is one transaction, checked table by table against the source."""
    import shutil
    from pathlib import Path

    from studycards import media
    from studycards.store import TargetNotEmpty, location, open_store

    try:
        where = location.parse(target, "--to")
    except location.LocationError as err:
        raise click.BadParameter(str(err).partition(": ")[2] or str(err), param_hint="--to") from err
    env = _open(ctx)
    same = where == env.path or (isinstance(where, Path) and isinstance(env.path, Path) and where.resolve() == env.path.resolve())
    if same:
        raise click.BadParameter("the target is the collection itself", param_hint="--to")
    if isinstance(where, Path) and where.exists() and where.is_dir():
        raise click.BadParameter(f"{where} is a folder", param_hint="--to")
    new_file = isinstance(where, Path) and not where.exists()
    dest = open_store(where, env.now_epoch)
    bar = _progress_bar("Copying")
    try:
        counts = env.store.copy_into(dest, replace, bar.update if bar else None)
    except TargetNotEmpty as err:
        raise click.ClickException(f"{sanitize(str(err))}; use --replace to overwrite it") from err
    except BaseException:
        if new_file:  # the file this command made holds nothing: leave no trace
            dest.close()
            for leftover in (where, where.with_name(where.name + "-wal"), where.with_name(where.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    finally:
        if bar:
            bar.close()
        dest.close()
    source_media, target_media = media.folder(env.store), media.folder(dest)
    if source_media.is_dir() and source_media != target_media:
        target_media.mkdir(parents=True, exist_ok=True)
        for item in source_media.iterdir():
            if item.is_file() and not (target_media / item.name).exists():
                shutil.copy2(item, target_media / item.name)
    echo(
        f"Copied {counts['deck']} decks, {counts['note']} notes, {counts['card']} cards and"
        f" {counts['review_log']} reviews to {sanitize(str(where))}; every table's row count matches."
    )


class _Progress:
    """A one-line progress count on standard error, for a terminal only."""

    def __init__(self, label: str, unit: str = "rows") -> None:
        self.label = label
        self.unit = unit
        self.shown = False

    def update(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        click.echo(f"\r{self.label}: {done:,} of {total:,} {self.unit} ({percent}%)", nl=False, err=True)
        self.shown = True

    def close(self) -> None:
        if self.shown:
            click.echo(err=True)


def _progress_bar(label: str, unit: str = "rows") -> _Progress | None:
    return _Progress(label, unit) if sys.stderr.isatty() else None


@cli.command()
@click.argument("decks", nargs=-1, callback=_deck_names, shell_complete=_complete_decks)
@click.option("--json", "as_json", is_flag=True, help="Print the fit as JSON.")
@click.option("--dry-run", is_flag=True, help="Show the fit without storing the parameters.")
@click.pass_context
@_friendly_errors
def optimize(ctx: click.Context, decks: tuple[str, ...], as_json: bool, dry_run: bool) -> None:
    """Fit FSRS to your own review history of DECKS (all decks if none are
    named) and store the parameters for them; decks on FSRS use them from
    then on. Prints how well SM-2, FSRS with its defaults and FSRS fitted
    to you predict your answers, all on the same held-out, later answers.

    It needs 384 reviews (counted answers after a card's first) of at least
    20 cards answered on two or more days: the comparison first trains on
    the earliest sixth of the history alone, fsrs-rs fits all its weights
    only from 64 reviews, and its outlier filter drops fewer than 20 cards."""
    from studycards import fitting
    from studycards.decks import resolve_decks
    from studycards.fsrs_fit import NotEnoughHistory

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks)
    bar = None if as_json else _progress_bar("Fitting FSRS", "steps")
    try:
        found = fitting.optimize(env.store, deck_ids, bar.update if bar else None, keep=not dry_run)
    except NotEnoughHistory as err:
        raise click.ClickException(str(err)) from err
    finally:
        if bar:
            bar.close()
    scores = {"sm2": found.sm2, "fsrs_default": found.default, "fsrs_fitted": found.fitted}
    if as_json:
        click.echo(_json({
            "decks": list(decks) or None,
            "counted_answers": found.counted_answers,
            "cards": found.cards,
            "evaluated_answers": found.evaluated_answers,
            "scores": {name: {"log_loss": round(s.log_loss, 4), "rmse_bins": round(s.rmse_bins, 4)} for name, s in scores.items()},
            "parameters": [round(p, 4) for p in found.parameters],
            "stored": not dry_run,
            "benchmark_log_loss": fitting.BENCHMARK_LOG_LOSS,
        }))
        return
    scope = ", ".join(sanitize(d) for d in decks) if decks else "all decks"
    echo(f"FSRS fitted to {found.counted_answers:,} counted answers of {found.cards:,} cards ({scope}).")
    echo(f"How well each predicts your {found.evaluated_answers:,} later answers (held out, in time order; lower is better):")
    rows = [[label, f"{s.log_loss:.3f}", f"{s.rmse_bins:.3f}"] for label, s in (("SM-2", found.sm2), ("FSRS, default parameters", found.default), ("FSRS, fitted to you", found.fitted))]
    _table(["", "log loss", "RMSE (bins)"], rows, numeric={1, 2})
    bench = fitting.BENCHMARK_LOG_LOSS
    echo(f"(On srs-benchmark's 10,000 Anki collections: FSRS fitted {bench['fsrs_fitted']:.2f}, SM-2 {bench['sm2']:.2f}.)")
    if dry_run:
        echo("Nothing stored (--dry-run).")
    else:
        echo(f"Stored the parameters for {scope}; decks on FSRS use them (`studycards config scheduler fsrs` switches).")


@cli.command()
@click.argument("retentions", nargs=-1, type=click.FloatRange(0.70, 0.99), metavar="[RETENTION]...")
@click.option("--deck", "decks", multiple=True, callback=_deck_names, shell_complete=_complete_decks, help="Use this deck's parameters (repeatable; default: those fitted to all decks).")
@click.option("--days", type=click.IntRange(30, 3650), default=365, show_default=True, help="How many days to simulate.")
@click.option("--json", "as_json", is_flag=True, help="Print the simulation as JSON.")
@click.pass_context
@_friendly_errors
def simulate(ctx: click.Context, retentions: tuple[float, ...], decks: tuple[str, ...], days: int, as_json: bool) -> None:
    """The workload before you commit to a desired retention: for each
    RETENTION (default 0.80 0.85 0.90 0.95), the expected reviews per day
    and the retention you would get over the next --days, with new-per-day
    new cards a day, from your FSRS parameters."""
    from studycards import fitting
    from studycards.decks import resolve_decks

    env = _open(ctx)
    deck_ids = resolve_decks(env.store, decks)
    chosen = sorted(set(retentions)) or [0.80, 0.85, 0.90, 0.95]
    result = fitting.workload(env.store, env.settings, deck_ids, chosen, days)
    if as_json:
        click.echo(_json({
            "parameters": result.parameters_from,
            "days": days,
            "new_per_day": result.new_per_day,
            "rows": [{"desired_retention": r.desired_retention, "reviews_per_day": round(r.reviews_per_day, 1), "retention": round(r.retention, 4),
                      "memorized": round(r.memorized, 1), "learned": r.learned} for r in result.rows],
            "optimal_retention": round(result.optimal_retention, 2),
        }))
        return
    echo(f"Simulated {days} days, {result.new_per_day} new cards a day, with parameters {result.parameters_from}:")
    rows = [[f"{r.desired_retention:.2f}", f"{r.reviews_per_day:,.0f}", f"{r.retention:.1%}", f"{r.memorized:,.0f}"] for r in result.rows]
    _table(["desired retention", "reviews a day", "retention", f"remembered on day {days}"], rows, numeric={0, 1, 2, 3})
    echo(f"Least time per card remembered (fsrs-rs's optimal retention, searched from 0.70 to 0.95): {result.optimal_retention:.2f}.")


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.pass_context
@_friendly_errors
def backup(ctx: click.Context, path: str | None, force: bool) -> None:
    """Write a consistent copy of the database to PATH (default: a dated file
    in a backups folder next to the database, or in your user data folder
    for a server collection). Safe during a review session. The copy is a
    SQLite file that ``studycards --db PATH`` opens, from a server too."""
    from pathlib import Path

    from studycards import clock
    from studycards.store import location

    env = _open(ctx)
    source = env.path
    if path is None:
        stamp = clock.now().astimezone().strftime("%Y%m%d-%H%M%S")
        if isinstance(source, Path):
            target = source.parent / "backups" / f"{source.stem}-{stamp}.db"
        else:
            target = location.default_path().parent / "backups" / f"{source.label}-{stamp}.db"
    else:
        target = Path(path).expanduser()
    if target.exists() and not force:
        raise click.ClickException(f"{target} already exists; use --force to overwrite it")
    if isinstance(source, Path) and target.resolve() == source.resolve():
        raise click.BadParameter("the backup cannot be the database itself", param_hint="PATH")
    env.store.backup_to(target, env.now_epoch)
    counts = env.store.totals()
    echo(f"Backed up {counts['cards']} cards and {counts['reviews']} reviews to {sanitize(str(target))}.")


@cli.command()
@click.option("--full", is_flag=True, help="SQLite's full integrity check (index order too): minutes on a large collection.")
@click.pass_context
@_friendly_errors
def check(ctx: click.Context, full: bool) -> None:
    """Check the database: SQLite's quick integrity check (or --full), then
    orphans and impossible states. Exit status 1 when a problem is found.
    On a PostgreSQL server the file check does not apply (the server keeps
    its own files); the consistency checks run on the server."""
    env = _open(ctx)
    found = env.store.integrity_problems(full)
    problems = [f"integrity: {p}" for p in found or ()]
    problems += env.store.consistency_problems()
    counts = env.store.totals()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items())
    if problems:
        for problem in problems:
            echo(f"problem: {sanitize(problem)}", err=True)
        raise click.ClickException(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found ({summary})")
    integrity = "file integrity check not applicable on a server" if found is None else "integrity ok"
    echo(f"No problems found: {integrity}; {summary}.")


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


_ID = click.IntRange(1, 2**63 - 1)  # what the database can hold


def _cards_phrase(count: int) -> str:
    return f"{count} card{'s' if count != 1 else ''}"


@cli.command()
@click.argument("note_id", type=_ID, shell_complete=_complete_notes)
@click.option("--front", help="New question side.")
@click.option("--back", help="New answer side (of a cloze note: the extra text shown with the answer).")
@click.option("--cloze", help='New cloze text in Anki syntax, e.g. "The {{c1::answer}} is here".')
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable); replaces the note's tags.")
@click.option("--reverse/--no-reverse", default=None, help="Also make (or stop making) a card that asks back -> front.")
@click.pass_context
@_friendly_errors
def edit(
    ctx: click.Context, note_id: int, front: str | None, back: str | None, cloze: str | None, tags: tuple[str, ...], reverse: bool | None
) -> None:
    """Edit note NOTE_ID in place: its cards keep their progress.

    Without options the note opens in $VISUAL (else $EDITOR) as a deck-file
    [[notes]] table; save to apply, or save an empty file or quit without
    saving to abort. With --front, --back, --cloze, --tag or --reverse the
    note is changed without an editor. A card the note no longer makes is
    removed if it was never studied, and suspended otherwise.
    """
    from studycards import editing

    env = _open(ctx)
    editable = editing.load(env.store, note_id)
    if front is not None or back is not None or cloze is not None or tags or reverse is not None:
        try:
            spec = editing.from_options(editable, front=front, back=back, cloze=cloze, reverse=reverse, tags=tags or None)
        except InvalidValue as err:
            raise click.UsageError(str(err)) from err
    else:
        spec = _edit_in_editor(ctx, editable)
    result = editing.apply(env.store, note_id, spec, env.now_epoch)
    if not result.changed:
        echo("No changes.")
        return
    echo(
        f"Updated note {note_id}: {_cards_phrase(result.cards)} "
        f"({result.added} added, {result.removed} removed, {result.suspended} suspended)."
    )


def _edit_in_editor(ctx: click.Context, editable: Any) -> Any:
    """The note as the user saved it; in a terminal an invalid edit can be
    edited again. Aborting (an empty file, no save, or no second try)
    exits with status 1 and changes nothing."""
    from studycards import editing
    from studycards.errors import InvalidFile

    def abort() -> None:
        echo(f"Edit aborted: note {editable.note.id} is unchanged.", err=True)
        ctx.exit(1)

    text = editing.render(editable)
    while True:
        try:
            edited = click.edit(text, extension=".toml", require_save=True)
        except UnicodeDecodeError:
            raise click.ClickException(f"the edited note is not UTF-8 text; note {editable.note.id} is unchanged") from None
        except OSError as err:
            raise click.ClickException(f"the edited file could not be read back ({err.strerror}); note {editable.note.id} is unchanged") from None
        if edited is None or not edited.strip():
            abort()
        try:
            spec = editing.parse(editable, edited)
        except InvalidFile as err:
            if not _stdin_is_terminal():
                raise
            echo(f"Error: {sanitize(str(err))}", err=True)
            if not click.confirm("Edit again?", default=True):
                abort()
            text = edited
            continue
        if spec is None:
            abort()
        return spec


@cli.command()
@click.argument("card_ids", nargs=-1, type=_ID, shell_complete=_complete_cards)
@click.option("-q", "--query", help=_QUERY_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed when not in a terminal).")
@click.pass_context
@_friendly_errors
def reset(ctx: click.Context, card_ids: tuple[int, ...], query: str | None, yes: bool) -> None:
    """Return cards (by id, or all that --query finds) to new: repetitions
    0, easiness 2.50, no interval, not due, no lapses, not buried. Their
    review history is kept; suspended cards stay suspended. An unknown id
    changes nothing."""
    from studycards import cards

    if not yes and not _stdin_is_terminal():
        raise click.UsageError("reset loses the cards' progress: confirm with --yes when not in a terminal")
    env = _open(ctx)
    targets = _targets(env, card_ids, query)
    if not yes:
        click.confirm(f"Reset {_cards_phrase(len(targets))} to new? Their progress is lost (their history is kept).", abort=True)
    count = cards.reset_cards(env.store, targets)
    echo(f"Reset {_cards_phrase(count)} to new (their history is kept).")


def main() -> None:
    """The console script: the CLI, with output that cannot be written (a
    full disk, a closed pipe) reported in one line instead of a traceback."""
    import errno
    import os

    try:
        cli(prog_name="studycards")
    except OSError as err:
        if err.errno not in (errno.EPIPE, errno.ENOSPC, errno.EIO):
            raise
        try:  # nothing more can reach the reader; keep the interpreter's last flush quiet
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        if err.errno != errno.EPIPE:
            sys.stderr.write(f"Error: cannot write the output ({err.strerror})\n")
        sys.exit(1)
