"""One module per outside format, each turning plain ``DeckSpec`` data into
text or bytes; the database is read by ``exporting.py``, not here."""
