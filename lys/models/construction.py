"""Building a new row of a table model from a per-class plan.

SQLModel builds a table model (``Product(name=...)``) generically: for every field it
asks pydantic for the default, which inspects the default factory's signature on each
call, then assigns every value through ``__setattr__``, which looks up the attribute's
instrumentation and pydantic's handler again. For a seven-column row that is about
40 µs, more than the Python side of its INSERT. :func:`construct` does the same work
from what it learnt once per class: the same values and defaults, set through the
ORM's attribute machinery (so ``@validates`` and attribute events still run), the same
pydantic bookkeeping (``model_fields_set``). Classes it cannot mirror exactly (aliases,
extra fields, validated assignment, post-init hooks, factories taking the data,
private attributes, their own ``__setattr__``) keep SQLModel's constructor, as do
models that are not tables, which pydantic validates.
"""

from __future__ import annotations

from typing import Any

from pydantic._internal._utils import smart_deepcopy
from pydantic_core import PydanticUndefined
from sqlalchemy.orm import attributes as orm_attributes
from sqlmodel import SQLModel
from sqlmodel._compat import is_table_model_class, sqlmodel_init

_REQUIRED, _FACTORY, _DEFAULT = range(3)

#: ``(field name, how its default comes, the default or its factory)`` per field,
#: then the relationship names.
_Plan = tuple[tuple[tuple[str, int, Any], ...], tuple[str, ...]]
_PLANS: dict[type, _Plan | None] = {}


def construct(instance: Any, data: dict[str, Any]) -> None:
    """Fill a new ``instance`` from constructor keywords, as SQLModel would."""
    cls = type(instance)
    if cls in _PLANS:
        plan = _PLANS[cls]
    else:
        plan = _PLANS[cls] = _plan_for(cls)
    if plan is None:
        sqlmodel_init(self=instance, data=data)
        return
    fields, relationships = plan
    state = instance._sa_instance_state
    manager = state.manager
    values = instance.__dict__
    given: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    for name, source, default in fields:
        if name in data:
            given[name] = data[name]
        elif source is _FACTORY:
            defaults[name] = default()
        elif source is _DEFAULT:
            defaults[name] = smart_deepcopy(default)
    fields_set = set(given)
    given.update(defaults)
    for name, value in given.items():
        attribute = manager.get(name)
        if attribute is not None:
            attribute.impl.set(state, values, value, None)
        # Then pydantic's assignment, as SQLModel's __setattr__ does: the value given
        # is what the instance holds, even where a @validates hook returned another.
        values[name] = value
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    for name in relationships:
        if name in data:
            orm_attributes.set_attribute(instance, name, data[name])


def _plan_for(cls: type[Any]) -> _Plan | None:
    """The plan of ``cls``, or ``None`` when only SQLModel's constructor is exact."""
    config = cls.model_config
    if (
        not is_table_model_class(cls)
        or config.get("extra") == "allow"
        or config.get("validate_assignment")
        or config.get("frozen")
        or cls.__pydantic_post_init__
        or cls.__pydantic_root_model__
        or cls.__private_attributes__
        or cls.__setattr__ is not SQLModel.__setattr__
    ):
        return None
    fields: list[tuple[str, int, Any]] = []
    for name, field in cls.model_fields.items():
        if field.alias and field.alias != name:
            return None
        if field.frozen or isinstance(getattr(cls, name, None), property):
            return None
        if field.default_factory is not None:
            if field.default_factory_takes_validated_data:
                return None
            fields.append((name, _FACTORY, field.default_factory))
        elif field.default is PydanticUndefined:
            fields.append((name, _REQUIRED, None))
        else:
            fields.append((name, _DEFAULT, field.default))
    return tuple(fields), tuple(cls.__sqlmodel_relationships__)
