"""Domain errors, with messages written for the person at the terminal.

The CLI turns each into a one-line message and exit status 1; domain code
never imports click.
"""


class StudycardsError(Exception):
    """Base class: ``str(err)`` is the whole message shown to the user."""


class NotFound(StudycardsError):
    """An unknown deck, card or setting was named."""


class InvalidValue(StudycardsError):
    """A value given by the user is out of range or malformed."""


class InvalidFile(StudycardsError):
    """A file to import is malformed; the message names the file and the
    line (or package entry) at fault."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


class DatabaseError(StudycardsError):
    """The database cannot be opened, read or upgraded."""


InvalidDeckFile = InvalidFile
