"""studycards: flashcards and exact SM-2 spaced repetition in the terminal."""

__version__ = "0.1.0"
