"""Test helper: proves that no code path changes a record without an audit event.

A trace callback on every connection ``open_db`` makes sees each statement.
Within a transaction (BEGIN … COMMIT, or an implicit one), it notes which
audited tables were written and whether ``audit_events`` was written too. A
committed transaction that wrote an audited table without an audit event is a
violation. FTS shadow tables and the bookkeeping tables listed in
``workbench.migrations.UNAUDITED_TABLES`` are exempt.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field

from workbench.migrations import UNAUDITED_TABLES

WRITE = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r"\s+[\"`\[]?(\w+)", re.IGNORECASE)
BEGIN = re.compile(r"^\s*BEGIN\b", re.IGNORECASE)
END = re.compile(r"^\s*(COMMIT|END|ROLLBACK)\s*(?:TRANSACTION)?\s*;?\s*$", re.IGNORECASE)
# sqlite-utils probes ON CONFLICT support with a throwaway table named t<32 hex>.
PROBE_TABLE = re.compile(r"^t[0-9a-f]{32}$")


def exempt(table: str) -> bool:
    """Tables that may change without an audit event."""
    return (table in UNAUDITED_TABLES or "_fts" in table or table.startswith("sqlite_")
            or bool(PROBE_TABLE.match(table)) or table.startswith("_"))


@dataclass
class _TransactionState:
    tables: set[str] = field(default_factory=set)
    audited: bool = False
    statements: list[str] = field(default_factory=list)


class AuditGuard:
    """Collects violations across every traced connection."""

    def __init__(self) -> None:
        self.violations: list[str] = []
        self._lock = threading.Lock()

    def attach(self, conn: sqlite3.Connection) -> None:
        """Install the tracer on one connection."""
        state = _TransactionState()

        def trace(statement: str) -> None:
            nonlocal state
            if BEGIN.match(statement):
                state = _TransactionState()
                return
            ending = END.match(statement)
            if ending:
                if ending.group(1).upper() != "ROLLBACK":
                    self._check(state)
                state = _TransactionState()
                return
            written = WRITE.match(statement)
            if written:
                table = written.group(1)
                if table == "audit_events":
                    state.audited = True
                elif not exempt(table):
                    state.tables.add(table)
                    state.statements.append(statement[:160])
                if not conn.in_transaction:
                    # Autocommit statement: it is its own transaction.
                    self._check(state)
                    state = _TransactionState()

        conn.set_trace_callback(trace)

    def _check(self, state: _TransactionState) -> None:
        if state.tables and not state.audited:
            with self._lock:
                self.violations.append(
                    f"tables {sorted(state.tables)} changed without an audit event; "
                    f"first statement: {state.statements[0]}")
