"""Turns the installed apps' abstract models into table classes, once per application.

Each application gets its own SQLAlchemy registry and ``MetaData``: two projects with
different apps coexist in one process, and the class a model name resolves to is the
last app's version of it, with every column and relationship it inherited.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

from sqlalchemy import MetaData, orm
from sqlmodel import SQLModel
from sqlmodel.main import SQLModelMetaclass

from lys.errors import ImproperlyConfigured
from lys.models.entity import BaseEntity, model_name_of

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def is_declared_model(obj: Any, module_name: str) -> bool:
    """A model an app declares: an entity class defined in that module, not abstract."""
    return (
        isinstance(obj, type)
        and issubclass(obj, BaseEntity)
        and obj.__module__ == module_name
        and not obj.__dict__.get("__abstract__", False)
        and not obj.model_config.get("table", False)
    )


def build_tables(
    declared: dict[str, type[BaseEntity]], class_names: dict[str, str]
) -> tuple[orm.registry, dict[str, type]]:
    """Build a table class per model name; returns the SQLAlchemy registry and the classes.

    ``class_names`` gives each model's class name: the first app's, kept when a later
    app extends the model, because relationships find their target by class name.
    """
    _refuse_duplicate_class_names(class_names)
    registry = orm.registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))
    base = SQLModelMetaclass("TableBase", (SQLModel,), {"__module__": __name__}, registry=registry)
    tables: dict[str, type] = {}
    for name, abstract in declared.items():
        relationships: dict[str, Any] = {}
        annotations: dict[str, Any] = {}
        for klass in reversed(abstract.__mro__):
            parked = klass.__dict__.get("__lys_relationship_annotations__", {})
            for rel_name, info in klass.__dict__.get("__sqlmodel_relationships__", {}).items():
                relationships[rel_name] = info
                annotation = _evaluate(parked[rel_name], klass)
                annotations[rel_name] = _retarget(annotation, class_names)
        namespace = {
            "__module__": abstract.__module__,
            "__qualname__": abstract.__qualname__,
            "__tablename__": name,
            "__annotations__": annotations,
            **relationships,
        }
        metaclass: Any = type(abstract)  # SQLModel's metaclass
        try:
            tables[name] = metaclass(class_names[name], (abstract, base), namespace, table=True)
        except Exception as exc:
            raise ImproperlyConfigured(
                f"model {abstract.__module__}.{abstract.__qualname__} ({name!r}) "
                f"cannot become a table: {type(exc).__name__}: {exc}"
            ) from exc
    try:
        registry.configure()
    except Exception as exc:
        raise ImproperlyConfigured(f"models do not fit together: {exc}") from exc
    return registry, tables


def _refuse_duplicate_class_names(class_names: dict[str, str]) -> None:
    owners: dict[str, str] = {}
    for name, class_name in class_names.items():
        previous = owners.setdefault(class_name, name)
        if previous != name:
            raise ImproperlyConfigured(
                f"models {previous!r} and {name!r} are both classes named {class_name!r}; "
                "relationships find models by class name, so rename one"
            )


def _evaluate(annotation: Any, owner: type) -> Any:
    """A string annotation (``from __future__ import annotations``) as the object it names.

    ``"Brand | None"`` is no class name SQLAlchemy can look up; evaluated in the module
    that declares it, it is retargeted like any other annotation. Left as is when it
    cannot be evaluated (SQLAlchemy then resolves a plain class name itself).
    """
    if not isinstance(annotation, str):
        return annotation
    module = sys.modules.get(owner.__module__)
    namespace = dict(vars(module)) if module is not None else {}
    try:
        return eval(annotation, namespace, {owner.__name__: owner})
    except Exception:
        return annotation


def _retarget(annotation: Any, class_names: dict[str, str]) -> Any:
    """Point a relationship annotation at the target's table class, by class name.

    An annotation naming an abstract model class would map to that class, which is no
    table; its class name resolves in this application's registry instead.
    """
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseEntity):
        return class_names.get(model_name_of(annotation), annotation.__name__)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is None or not args:
        return annotation
    targets = tuple(
        arg for arg in (_retarget(a, class_names) for a in args) if arg is not type(None)
    )
    nullable = type(None) in args
    if origin in (typing.Union, types.UnionType):
        (target,) = targets
        return typing.Optional[target] if nullable else target  # noqa: UP045
    if origin in (list, set):
        return origin[targets[0]]
    return annotation
