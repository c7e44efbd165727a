"""The ``setting`` table: user settings and internal bookkeeping values."""

from __future__ import annotations

from studycards.store.conn import Conn


class SettingsTable:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    def all(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self.conn.all('SELECT "key", value FROM setting')}

    def get(self, key: str) -> str | None:
        return self.conn.scalar('SELECT value FROM setting WHERE "key" = :key', key=key)

    def put(self, key: str, value: str) -> None:
        self.conn.execute(
            'INSERT INTO setting ("key", value) VALUES (:key, :value) ON CONFLICT ("key") DO UPDATE SET value = :value',
            key=key,
            value=value,
        )

    def delete(self, key: str) -> None:
        self.conn.execute('DELETE FROM setting WHERE "key" = :key', key=key)
