"""Synchronous batching of relations: no N+1 under lists, with plain sync execution.

Execution is depth-first, so a classic DataLoader never sees the keys of later siblings.
Instead, every list a resolver returns is recorded as a *sibling group*; when one object
asks for a relation, the loader fetches it for the whole group in one query, and the
objects a batch returns become a group of their own, so nested lists batch level by
level.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import RelationshipProperty, Session

from lys.db.rows import load_all, one_of

BatchFn = Callable[[Sequence[Hashable]], Sequence[Any]]
#: ``(select, model) -> select`` restricted to the rows the caller may see.
Scope = Callable[[Any, type], Any]
_SCALARS = (str, int, float, bool, bytes, dict)


class SiblingGroups:
    """Remembers, per request, which list each object arrived in."""

    def __init__(self) -> None:
        self._groups: dict[int, list[Any]] = {}
        self._alive: list[list[Any]] = []  # ids stay unique while the lists live

    def register(self, items: Sequence[Any]) -> None:
        group = list(items)
        if not group or isinstance(group[0], _SCALARS):
            return
        self._alive.append(group)
        for item in group:
            current = self._groups.get(id(item))
            if current is None or len(group) > len(current):
                self._groups[id(item)] = group

    def siblings(self, obj: Any) -> list[Any]:
        return self._groups.get(id(obj), [obj])


class BatchLoader:
    """Loads a value per object, batched across the object's siblings, cached per key."""

    def __init__(
        self, groups: SiblingGroups, key_of: Callable[[Any], Hashable], batch: BatchFn
    ) -> None:
        self.groups = groups
        self.key_of = key_of
        self.batch = batch
        self.cache: dict[Hashable, Any] = {}

    def load_for(self, obj: Any) -> Any:
        key = self.key_of(obj)
        if key is None:
            return None
        if key not in self.cache:
            # A group can mix types and hold None (``nodes(ids:)``): only objects of
            # this loader's type have the key.
            siblings = (s for s in self.groups.siblings(obj) if type(s) is type(obj))
            keys = list(
                dict.fromkeys(
                    k
                    for k in (self.key_of(s) for s in siblings)
                    if k is not None and k not in self.cache
                )
            )
            if key not in keys:
                keys.append(key)
            loaded: list[Any] = []
            for k, value in zip(keys, self.batch(keys), strict=True):
                self.cache[k] = value
                if isinstance(value, list):
                    loaded.extend(value)
                elif value is not None:
                    loaded.append(value)
            self.groups.register(loaded)
        return self.cache[key]


class Loaders:
    """The request's loaders, one per (model, relationship), created on first use."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        scope: Scope | None = None,
        scope_key: Callable[[], Hashable] | None = None,
    ) -> None:
        self.groups = SiblingGroups()
        self._session = session_factory
        self._scope = scope
        self._scope_key = scope_key or (lambda: None)
        self._loaders: dict[tuple[type, str, Hashable], BatchLoader] = {}

    def relation(self, model: type, name: str) -> BatchLoader:
        # Lists are filtered by the caller's row scope, which can differ between the
        # root fields of one document: each scope has loaders (and a cache) of its own.
        key = (model, name, self._scope_key())
        loader = self._loaders.get(key)
        if loader is None:
            loader = _relation_loader(self.groups, self._session, model, name, self._scope)
            self._loaders[key] = loader
        return loader

    def batched(self, name: str, key_of: Callable[[Any], Hashable], batch: BatchFn) -> BatchLoader:
        """A loader of the app's own (``name`` unique to it), kept for the request: for
        values no single-column relation reaches, such as roles through a link table."""
        key = (BatchLoader, name, self._scope_key())
        loader = self._loaders.get(key)
        if loader is None:
            loader = BatchLoader(self.groups, key_of, batch)
            self._loaders[key] = loader
        return loader

    def load_relation(self, obj: Any, name: str) -> Any:
        """``obj.<name>`` without a query per object; already-loaded relations are free."""
        # A loaded relation sits in the instance's __dict__; asking the ORM's state for
        # its unloaded keys would build a set per call, per object of every list.
        if name in obj.__dict__:
            return getattr(obj, name)
        return self.relation(type(obj), name).load_for(obj)


def _relation_loader(
    groups: SiblingGroups,
    session: Callable[[], Session],
    model: type,
    name: str,
    scope: Scope | None = None,
) -> BatchLoader:
    """To-many relations go through ``scope`` (the row filters of the caller): a list
    under a visible object shows only the rows the caller may see. A to-one relation is
    part of its visible parent and is not filtered."""
    relationship: RelationshipProperty[Any] = sa_inspect(model).relationships[name]
    target = relationship.mapper.class_
    pairs = list(relationship.local_remote_pairs or ())
    if relationship.secondary is not None or len(pairs) != 1:
        raise TypeError(f"{model.__name__}.{name}: only single-column relations batch")
    local, remote = pairs[0]
    local_attr: str = sa_inspect(model).get_property_by_column(local).key
    remote_attr = getattr(target, sa_inspect(target).get_property_by_column(remote).key)
    many = relationship.uselist

    def key_of(obj: Any) -> Hashable:
        return getattr(obj, local_attr)

    def batch(keys: Sequence[Hashable]) -> list[Any]:
        current = session()
        stmt = select(target).where(one_of(remote_attr, keys, current))
        if many and scope is not None:
            stmt = scope(stmt, target)
        rows = load_all(current, target, stmt)
        if many:
            grouped: dict[Hashable, list[Any]] = {k: [] for k in keys}
            for row in rows:
                grouped[getattr(row, remote_attr.key)].append(row)
            return [grouped[k] for k in keys]
        by_key = {getattr(row, remote_attr.key): row for row in rows}
        return [by_key.get(k) for k in keys]

    return BatchLoader(groups, key_of, batch)
