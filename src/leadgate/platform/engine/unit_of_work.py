"""The unit of work: one connection, one transaction, committed once by the outermost message.

Nested messages join the transaction of the message that started them; anything that
leaves the transaction without commit rolls it back, nested work included.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.dry_run import DryRun
from leadgate.platform.engine.metadata import store
from leadgate.platform.engine.metadata.model import MetadataSet
from leadgate.platform.engine.rows import insert_rows, row_values
from leadgate.platform.engine.schema import SqlTables
from leadgate.platform.engine.storage import HELD_ROWS, translate_errors
from leadgate.platform.engine.writers import writer_turn
from leadgate.platform.plugins.registry import PluginHandler, Step, StepSet, TraceRecord
from leadgate.platform.security.access import Principal, RecordOwner, SecurityCache, load_principal

if TYPE_CHECKING:
    from leadgate.platform.organization import Organization

T = TypeVar("T")

__all__ = ["HeldConnection", "Snapshot", "UnitOfWork"]


@dataclass(frozen=True)
class Snapshot:
    """What one metadata generation gives: the metadata and its SQL tables."""

    metadata: MetadataSet
    tables: SqlTables
    # What is derived from customizations and read often (the attribute maps), built on
    # first use; customizing starts a new generation, so a new, empty snapshot.
    derived: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, connection: sa.Connection) -> Snapshot:
        metadata = store.load(connection)
        return cls(metadata, SqlTables(metadata))

    @classmethod
    def shared(cls, connection: sa.Connection, generations: store.Generations) -> Snapshot:
        """The snapshot of the current metadata, shared by every organization this process
        opens on a database with the same metadata stamp (the same database opened again, or
        a copy of it): each would otherwise read and build every table again (~0.1 s)."""
        stamp = generations.metadata_stamp
        if stamp is None:
            return cls.load(connection)
        with _SHARED_LOCK:
            snapshot = _SHARED.get(stamp)
            if snapshot is not None:
                _SHARED.move_to_end(stamp)
                return snapshot
        snapshot = cls.load(connection)
        if snapshot.metadata.generation == generations.metadata:  # no change came between
            with _SHARED_LOCK:
                _SHARED[stamp] = snapshot
                while len(_SHARED) > _SHARED_SIZE:
                    _SHARED.popitem(last=False)
        return snapshot


# The snapshots of the metadata stamps this process used last (store.generation).
_SHARED_SIZE = 16
_SHARED: collections.OrderedDict[str, Snapshot] = collections.OrderedDict()
_SHARED_LOCK = threading.Lock()


Caches = tuple[Snapshot, StepSet, SecurityCache]


class HeldConnection:
    """A connection one caller keeps for one request (a Web API request), so that its token
    check and its messages take one connection from the pool, not one each.

    The token is checked in a read transaction left open (:meth:`begin_read`): the first
    message of the request that only reads takes it over (its caches were checked in it), so
    that check and message share one BEGIN, one check of the caches and one COMMIT; a message
    that writes ends it first and begins its own, as it would have. Used by one thread at a
    time; :meth:`close` at the end of the request (what runs after that takes a connection
    of its own, as without it).
    """

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        with translate_errors():
            self.connection: sa.Connection | None = organization.engine.connect()
        self.in_use = False  # a unit of work runs on it now
        self._read: tuple[sa.RootTransaction, Caches] | None = None

    def begin_read(self) -> Caches:
        """Begin the read transaction the request's first reading message will take over;
        the caches, checked in it."""
        assert self.connection is not None and self._read is None
        with translate_errors():
            transaction = self.connection.begin()
            try:
                caches = self.organization.current_caches(self.connection)
            except BaseException:
                transaction.rollback()
                raise
        self._read = (transaction, caches)
        return caches

    @property
    def reading(self) -> bool:
        """Whether the read transaction of the token check is open, for a message to take."""
        return self._read is not None

    def take_read(self) -> tuple[sa.RootTransaction, Caches] | None:
        """The open read transaction and its caches, now the caller's to end (None: none)."""
        read, self._read = self._read, None
        return read

    def end_read(self) -> None:
        """End the read transaction if no message took it over (it wrote nothing)."""
        read, self._read = self._read, None
        if read is not None and read[0].is_active:
            with translate_errors():
                read[0].rollback()

    def close(self) -> None:
        """Give the connection back to the pool."""
        if self.connection is None:
            return
        try:
            self.end_read()
        finally:
            self.connection.close()
            self.connection = None


class UnitOfWork:
    def __init__(self, organization: Organization, held: HeldConnection | None = None) -> None:
        self.organization = organization
        # The caller's connection, when it holds one that no other unit uses now.
        self.held = (
            held if held is not None and held.connection is not None and not held.in_use else None
        )
        # Set while a message is tried in a savepoint that is rolled back (engine/dry_run.py).
        self.dry_run: DryRun | None = None
        self.connection: sa.Connection | None = None
        self.in_transaction = False
        self.snapshot: Snapshot | None = None
        self.steps: StepSet | None = None
        self.security: SecurityCache = SecurityCache(-1)
        self.traces: list[TraceRecord] = []
        # Records this unit has seen exist, with their owner: security and lookup checks of
        # nested messages ask about the same records again and again.
        self.known_records: dict[tuple[str, Any], RecordOwner] = {}
        # Rows nothing reads back before the commit (the audit trail), by table: written in
        # one statement each at the commit instead of one round trip a row.
        self.deferred_rows: dict[str, list[dict[str, Any]]] = {}

    def __enter__(self) -> UnitOfWork:
        if self.held is not None:
            self.held.in_use = True
            self.connection = self.held.connection
            return self
        with translate_errors():
            self.connection = self.organization.engine.connect()
        return self

    def load_caches(self) -> None:
        """Check the caches in a read transaction of their own, for work that begins
        outside a transaction (stage 10)."""
        assert self.connection is not None
        if self.held is not None:
            self.held.end_read()
        with translate_errors(), self.connection.begin():
            self.snapshot, self.steps, self.security = self.organization.current_caches(
                self.connection
            )

    def __exit__(self, *exc_info: Any) -> None:
        assert self.connection is not None
        if self.held is not None:
            # Kept for the caller's next message: nothing of this unit's is left open on it.
            self.held.in_use = False
            if self.connection.in_transaction() and not self.held.reading:
                with translate_errors():
                    self.connection.rollback()
        else:
            self.connection.close()
        self.connection = None
        if self.traces:  # the operation failed, or only read: traces in a transaction of their own
            self.organization.write_traces(self.traces)

    @property
    def metadata(self) -> MetadataSet:
        assert self.snapshot is not None
        return self.snapshot.metadata

    @property
    def tables(self) -> SqlTables:
        assert self.snapshot is not None
        return self.snapshot.tables

    @contextlib.contextmanager
    def transaction(self, *, writes: bool) -> Iterator[sa.Connection]:
        """Begin (or join) the transaction; commit only where it began."""
        connection = self.connection
        if connection is None:
            raise errors.UNEXPECTED(detail="the unit of work is closed")
        if self.in_transaction:
            yield connection
            return
        # A read takes over the read transaction its caller's token was checked in.
        read = self.held.take_read() if self.held is not None else None
        if read is not None and (writes or self.snapshot is not None):
            with translate_errors():
                read[0].rollback()
            read = None
        # SQLite: this process's writers take their turns in order (engine/writers.py).
        turn = writer_turn(self.organization.engine) if writes else contextlib.nullcontext()
        with turn:
            if read is not None:
                transaction, (self.snapshot, self.steps, self.security) = read
            else:
                connection.info["write"] = writes
                with translate_errors():
                    transaction = connection.begin()
            self.in_transaction = True
            connection.info[HELD_ROWS] = {}
            try:
                if self.snapshot is None:  # the caches are checked in the transaction they
                    # serve: one BEGIN and one COMMIT for the whole message
                    with translate_errors():
                        self.snapshot, self.steps, self.security = self.organization.current_caches(
                            connection
                        )
                yield connection
                self.write_deferred()
                with translate_errors():
                    transaction.commit()
            except BaseException:
                self.deferred_rows.clear()
                if transaction.is_active:
                    transaction.rollback()
                raise
            finally:
                self.in_transaction = False
                connection.info.pop(HELD_ROWS, None)

    def defer_insert(self, table: str, values: dict[str, Any]) -> None:
        """Insert the row at the commit, with the other rows of its table, in one statement.

        Only for rows no message of this transaction reads back; a read of such a table calls
        :meth:`write_deferred` first, and a savepoint writes them before it begins.
        """
        row = row_values(self.metadata.table(table), values)
        self.deferred_rows.setdefault(table, []).append(row)

    def begin_savepoint(self) -> sa.NestedTransaction:
        """A savepoint, the deferred rows written first: rolling it back (:meth:`roll_back`)
        then drops exactly the rows deferred since it began."""
        assert self.connection is not None
        self.write_deferred()
        return self.connection.begin_nested()

    def roll_back(self, savepoint: sa.NestedTransaction) -> None:
        if savepoint.is_active:
            savepoint.rollback()
        self.deferred_rows.clear()

    def write_deferred(self, table: str | None = None) -> None:
        """Write the deferred rows (of ``table``, or of every table) now."""
        names = [table] if table is not None else list(self.deferred_rows)
        for name in names:
            found = self.deferred_rows.pop(name, None)
            if found:
                assert self.connection is not None
                insert_rows(self.connection, self.tables[name], found)

    def reload_metadata(self) -> None:
        """Read metadata again inside the transaction, after a customization changed it."""
        assert self.connection is not None
        self.snapshot = Snapshot.load(self.connection)

    def business_unit_of(self, table: str, owner_id: Any) -> Any:
        """The business unit of a user or team (None if there is no such owner), cached."""
        key = (table, owner_id)
        if key not in self.security.owner_units:
            assert self.connection is not None
            metadata = self.metadata.table(table)
            sql_table = self.tables[table]
            statement = sa.select(sql_table.c.businessunitid).where(
                sql_table.c[metadata.primary_key] == owner_id
            )
            if self.in_transaction:
                row = self.connection.execute(statement).first()
            else:  # asked before the transaction (stage 10): a read of its own
                with translate_errors(table), self.connection.begin():
                    row = self.connection.execute(statement).first()
            if row is None:
                return None
            self.security.owner_units[key] = row[0]
        return self.security.owner_units[key]

    def derived(self, name: str, build: Callable[[sa.Connection, SqlTables], T]) -> T:
        """What is built from records that customize (processes, duplicate rules), kept with
        the metadata snapshot: built once per generation, renewed by :meth:`renew_derived`."""
        assert self.snapshot is not None and self.connection is not None
        found = self.snapshot.derived.get(name)
        if found is None:
            found = self.snapshot.derived[name] = build(self.connection, self.tables)
        return found

    def renew_derived(self) -> None:
        """Records that caches derive from (maps, processes) changed: renew those caches.

        Other processes see a new metadata generation once this unit commits; this unit
        gets a private snapshot, so that what it reads before committing stays its own.
        """
        assert self.connection is not None and self.snapshot is not None
        store.bump_generation(self.connection, metadata=True)
        self.snapshot = dataclasses.replace(self.snapshot, derived={})

    def forget_security(self) -> None:
        """Roles, teams or units changed: this unit reads them afresh until it ends."""
        self.security = SecurityCache(-1)
        self.known_records.clear()  # owning units may have moved too

    def principal(self, user_id: Any) -> Principal:
        """The user as security sees them (unit, teams, roles, privileges), cached."""
        assert self.connection is not None
        if self.in_transaction:
            return load_principal(self.connection, self.tables, self.security, user_id)
        with translate_errors("systemuser"), self.connection.begin():
            return load_principal(self.connection, self.tables, self.security, user_id)

    def step_handler(self, step: Step) -> PluginHandler:
        """The step's callable, loaded once per generation of steps (or a coded refusal)."""
        assert self.steps is not None
        return self.steps.handler(step)

    def reload_steps(self) -> None:
        assert self.connection is not None
        self.steps = self.organization.steps.load(self.connection, self.tables, generation=-1)
