"""The ``setting`` table: user settings and internal bookkeeping values."""

from __future__ import annotations

from studycards.store.conn import Conn, Read, by_first


ALL = Read('SELECT "key", value FROM setting', parse=by_first)


class SettingsTable:
    """The settings. Until this process begins its first write, reads may
    come from the values read when the collection was opened
    (``as_opened``, on a server in the same round trip as the schema check):
    a command reads them at its start anyway."""

    def __init__(self, conn: Conn, as_opened: dict[str, str] | None = None) -> None:
        self.conn = conn
        self._as_opened = as_opened
        self._writes = conn.writes_begun

    def _known(self) -> dict[str, str] | None:
        if self._as_opened is not None and self.conn.writes_begun != self._writes:
            self._as_opened = None  # a write may have changed them: read them from here on
        return self._as_opened

    def all(self) -> dict[str, str]:
        known = self._known()
        if known is not None:
            return dict(known)
        return self.conn.fetch(ALL)[0]

    def get(self, key: str) -> str | None:
        known = self._known()
        if known is not None:
            return known.get(key)
        return self.conn.scalar('SELECT value FROM setting WHERE "key" = :key', key=key)

    def put(self, key: str, value: str) -> None:
        self._as_opened = None
        self.conn.execute(
            'INSERT INTO setting ("key", value) VALUES (:key, :value) ON CONFLICT ("key") DO UPDATE SET value = :value',
            key=key,
            value=value,
        )

    def delete(self, key: str) -> None:
        self._as_opened = None
        self.conn.execute('DELETE FROM setting WHERE "key" = :key', key=key)
