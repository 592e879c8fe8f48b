"""lys.models.construction: a table model built from its plan is the one SQLModel builds.

``BaseEntity.__init__`` fills new rows with :func:`construct` instead of SQLModel's
``sqlmodel_init``. Every test builds the same model both ways, from the same keywords,
and compares what the ORM and pydantic see: the values, ``model_fields_set``, pydantic's
extra and private slots, attribute histories, validators and events run, and the row
each one writes. The models are table classes of this module's own registry, so they
share no metadata with applications built elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pydantic
import pytest
from pydantic import PrivateAttr
from sqlalchemy import JSON, MetaData, create_engine, event, inspect, orm
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Relationship, Session, SQLModel
from sqlmodel._compat import SQLModelConfig, partial_init, sqlmodel_init
from sqlmodel.main import SQLModelMetaclass

from lys.models import construction
from lys.models.entity import BaseEntity, Entity

#: Validator and listener calls, as ``(model, key, value)``.
CALLS: list[tuple[str, str, Any]] = []

# Lys builds table classes on a base of their own registry (lys.registry.tables); a
# ``registry=`` class keyword would make the class abstract instead.
REGISTRY = orm.registry(metadata=MetaData())
TableBase: Any = SQLModelMetaclass(
    "TableBase", (SQLModel,), {"__module__": __name__}, registry=REGISTRY
)


def constant_tags() -> list[str]:
    """A deterministic factory: both constructors get equal (but distinct) lists."""
    return ["fresh"]


class Gadget(Entity, TableBase, table=True):
    __tablename__ = "construction_gadget"

    name: str
    size: int = 3
    note: str | None = "a note"
    tags: list[str] = Field(default_factory=constant_tags, sa_type=JSON)
    labels: list[str] = Field(default=[], sa_type=JSON)
    options: dict[str, Any] = Field(default={"depth": [1]}, sa_type=JSON)


class Owner(Entity, TableBase, table=True):
    __tablename__ = "construction_owner"

    name: str


class Pet(Entity, TableBase, table=True):
    __tablename__ = "construction_pet"

    name: str = "pet"
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="construction_owner.id")
    # A bare class name: under postponed annotations SQLAlchemy resolves it by name.
    owner: Owner = Relationship()


class Checked(Entity, TableBase, table=True):
    """``@validates`` that only records: the value stored is the value given."""

    __tablename__ = "construction_checked"

    name: str
    size: int = 1
    note: str | None = None

    @orm.validates("name", "size", "note")
    def _record(self, key: str, value: Any) -> Any:
        CALLS.append(("Checked", key, value))
        return value


class Shouting(Entity, TableBase, table=True):
    """``@validates`` that changes the value it is given."""

    __tablename__ = "construction_shouting"

    name: str

    @orm.validates("name")
    def _shout(self, key: str, value: str) -> str:
        return value.upper()


class Tracked(Entity, TableBase, table=True):
    __tablename__ = "construction_tracked"

    name: str
    size: int = 7


class Assigned(Entity, TableBase, table=True):
    __tablename__ = "construction_assigned"
    model_config = SQLModelConfig(validate_assignment=True)

    name: str
    size: int = 1


class PostInit(Entity, TableBase, table=True):
    __tablename__ = "construction_post_init"

    name: str
    note: str | None = None

    def model_post_init(self, context: Any) -> None:
        self.note = f"post {self.name}"


class Private(Entity, TableBase, table=True):
    __tablename__ = "construction_private"

    name: str
    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)


class Guarded(Entity, TableBase, table=True):
    """A model that watches its own assignments through ``__setattr__``."""

    __tablename__ = "construction_guarded"

    name: str
    size: int = 2

    def __setattr__(self, name: str, value: Any) -> None:
        CALLS.append(("Guarded", name, value))
        super().__setattr__(name, value)


class Draft(BaseEntity):
    """Not a table: pydantic validates it."""

    name: str
    size: int = 0


#: Defaults that differ on every call (``uuid4``, ``utcnow``): compared by type.
VARYING = frozenset({"id", "created_at"})


def by_sqlmodel(cls: type[Any], **data: Any) -> Any:
    """``cls(**data)`` as SQLModel's own constructor builds it."""
    with partial_init():
        obj = cls()  # the ORM's instance state, without the constructor's body
    sqlmodel_init(self=obj, data=dict(data))
    return obj


def values(obj: Any) -> dict[str, Any]:
    return {key: value for key, value in obj.__dict__.items() if key != "_sa_instance_state"}


def comparable(obj: Any) -> dict[str, Any]:
    """What either constructor leaves behind, varying defaults reduced to their type."""
    histories = {}
    for attribute in inspect(obj).attrs:
        history = attribute.history
        if attribute.key in VARYING:
            history = tuple([type(value) for value in part] for part in history)
        histories[attribute.key] = history
    return {
        "values": {
            key: type(value) if key in VARYING else value for key, value in values(obj).items()
        },
        "fields_set": obj.model_fields_set,
        "extra": obj.__pydantic_extra__,
        "private": obj.__pydantic_private__,
        "histories": histories,
    }


def built_both_ways(cls: type[Any], **data: Any) -> tuple[Any, Any]:
    """The same model from Lys's constructor and from SQLModel's, checked equal."""
    ours = cls(**data)
    theirs = by_sqlmodel(cls, **data)
    assert comparable(ours) == comparable(theirs)
    return ours, theirs


@pytest.fixture(autouse=True)
def clear_calls() -> Iterator[None]:
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    REGISTRY.metadata.create_all(engine)
    yield engine
    engine.dispose()


# -- the plan ------------------------------------------------------------------------------


def test_an_ordinary_entity_is_built_from_its_plan() -> None:
    """The comparisons below test the plan only if the plan is what runs."""
    Gadget(name="planned")
    plan = construction._PLANS[Gadget]
    assert isinstance(plan, tuple)
    fields, relationships = plan
    assert [name for name, _source, _default in fields] == list(Gadget.model_fields)
    assert relationships == ()
    Pet()
    pet_plan = construction._PLANS[Pet]
    assert isinstance(pet_plan, tuple)
    assert pet_plan[1] == ("owner",)


# -- values and pydantic's bookkeeping ---------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"name": "required only"}, id="defaults"),
        pytest.param({"name": "all", "size": 9, "note": "given", "tags": ["t"]}, id="given"),
        pytest.param({"name": "nones", "note": None, "updated_at": None}, id="given-none"),
        pytest.param(
            {
                "name": "keys",
                "id": uuid.UUID(int=1),
                "created_at": datetime(2024, 5, 1, tzinfo=UTC),
            },
            id="given-key-and-timestamp",
        ),
        pytest.param({"size": 4}, id="required-missing"),
    ],
)
def test_values_and_fields_set_are_sqlmodels(data: dict[str, Any]) -> None:
    ours, _theirs = built_both_ways(Gadget, **data)
    assert ours.model_fields_set == set(data)
    assert ours.__pydantic_extra__ is None
    assert ours.__pydantic_private__ is None


def test_a_required_field_left_out_is_simply_absent() -> None:
    """SQLModel does not validate table models: no error, no value (the database says no)."""
    ours, theirs = built_both_ways(Gadget, size=4)
    assert "name" not in ours.__dict__
    assert "name" not in theirs.__dict__
    assert ours.name is None  # the ORM's answer for an unset column


def test_defaults_and_factories_fill_what_is_left_out() -> None:
    gadget = Gadget(name="g")
    assert (gadget.size, gadget.note, gadget.tags, gadget.labels) == (3, "a note", ["fresh"], [])
    assert gadget.options == {"depth": [1]}
    assert isinstance(gadget.id, uuid.UUID)
    assert isinstance(gadget.created_at, datetime)
    assert gadget.created_at.tzinfo is not None
    assert gadget.updated_at is None
    assert Gadget(name="other").id != gadget.id


def test_mutable_defaults_are_copied_for_each_instance() -> None:
    """A list or dict default, or a factory's list, is never shared between rows."""
    first, second = Gadget(name="a"), Gadget(name="b")
    for key in ("tags", "labels", "options"):
        assert getattr(first, key) is not getattr(second, key), key
    assert first.options["depth"] is not second.options["depth"]
    assert first.labels is not Gadget.model_fields["labels"].default
    first.labels.append("changed")
    first.options["depth"].append(2)
    first.tags.append("changed")
    third = Gadget(name="c")
    assert (third.labels, third.options, third.tags) == ([], {"depth": [1]}, ["fresh"])
    assert Gadget.model_fields["labels"].default == []
    assert Gadget.model_fields["options"].default == {"depth": [1]}


def test_a_given_mutable_value_is_kept_as_given() -> None:
    """As in SQLModel, a value passed in is stored itself, not a copy."""
    tags = ["mine"]
    ours, theirs = built_both_ways(Gadget, name="g", tags=tags)
    assert ours.tags is tags
    assert theirs.tags is tags


def test_unknown_keywords_are_ignored_as_sqlmodel_ignores_them() -> None:
    ours, _theirs = built_both_ways(
        Gadget, name="g", bogus=1, model_name="not a field", _private=2, accessing_users=[]
    )
    assert "bogus" not in ours.__dict__
    assert not hasattr(ours, "bogus")
    assert ours.model_fields_set == {"name"}
    assert ours.model_name() == "construction_gadget"  # the classmethod, untouched
    assert ours.accessing_users() is None


def test_histories_are_sqlmodels() -> None:
    """The ORM sees given values and defaults as added, as after SQLModel's setattr."""
    ours, _theirs = built_both_ways(Gadget, name="g", note=None)
    state = inspect(ours)
    assert state.attrs.name.history.added == ["g"]
    assert state.attrs.note.history.added == [None]
    assert state.attrs.size.history.added == [3]
    assert state.attrs.tags.history.added == [["fresh"]]
    assert state.transient


# -- persistence -------------------------------------------------------------------------------


def test_both_constructors_write_the_same_row(engine: Engine) -> None:
    created = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    data: dict[str, Any] = {"name": "row", "note": None, "labels": ["l"], "created_at": created}
    ours = Gadget(id=uuid.UUID(int=10), **data)
    theirs = by_sqlmodel(Gadget, id=uuid.UUID(int=11), **data)
    with Session(engine) as session:
        session.add_all([ours, theirs])
        session.commit()
    with Session(engine) as session:
        rows = {
            row.id: row
            for row in session.execute(Gadget.__table__.select()).mappings()
            if row.id in (uuid.UUID(int=10), uuid.UUID(int=11))
        }
        ours_row = dict(rows[uuid.UUID(int=10)])
        theirs_row = dict(rows[uuid.UUID(int=11)])
        assert ours_row.pop("id") != theirs_row.pop("id")
        assert ours_row == theirs_row
        assert ours_row["name"] == "row"
        assert ours_row["size"] == 3
        # The ORM leaves a None out of the INSERT when the column has a default (SQLModel
        # gives it the field's): both rows say so.
        assert ours_row["note"] == "a note"
        assert ours_row["tags"] == ["fresh"]
        assert ours_row["options"] == {"depth": [1]}

        reloaded = session.get(Gadget, uuid.UUID(int=10))
        assert reloaded is not None
        assert reloaded.labels == ["l"]
        assert reloaded.created_at == created


# -- relationships -----------------------------------------------------------------------------


def test_a_relationship_passed_in_is_set_and_fills_its_key_on_flush(engine: Engine) -> None:
    owner = Owner(name="o")
    ours, theirs = built_both_ways(Pet, owner=owner)
    for pet in (ours, theirs):
        assert pet.owner is owner
        assert pet.owner_id is None  # until the flush
        assert pet.model_fields_set == set()  # a relationship is no pydantic field
        assert inspect(pet).attrs.owner.history.added == [owner]
    with Session(engine) as session:
        session.add_all([ours, theirs])  # the owner follows by cascade
        session.flush()
        assert ours.owner_id == owner.id
        assert theirs.owner_id == owner.id
        session.commit()


def test_a_relationship_given_as_none_is_set_to_none() -> None:
    ours, _theirs = built_both_ways(Pet, owner=None, name="stray")
    assert ours.owner is None
    assert inspect(ours).attrs.owner.history.added == [None]


# -- validators and attribute events -----------------------------------------------------------


def test_validators_run_for_given_values_and_defaults_in_sqlmodels_order() -> None:
    Checked(name="n", note=None)
    ours = list(CALLS)
    CALLS.clear()
    by_sqlmodel(Checked, name="n", note=None)
    assert ours == CALLS
    # Given fields first, then defaults, each in field order.
    assert ours == [("Checked", "name", "n"), ("Checked", "note", None), ("Checked", "size", 1)]


def test_a_validator_that_changes_the_value_changes_it_as_in_sqlmodel() -> None:
    built_both_ways(Shouting, name="quiet")


@pytest.fixture
def set_events() -> Iterator[list[tuple[str, Any]]]:
    """``(key, value)`` of every ``set`` event on ``Tracked.name`` and ``Tracked.size``."""
    seen: list[tuple[str, Any]] = []

    def on_name(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
        seen.append((initiator.key, value))

    event.listen(Tracked.name, "set", on_name)
    event.listen(Tracked.size, "set", on_name)
    yield seen
    event.remove(Tracked.name, "set", on_name)
    event.remove(Tracked.size, "set", on_name)


def test_set_listeners_fire_as_in_sqlmodel(set_events: list[tuple[str, Any]]) -> None:
    Tracked(name="t")
    ours = list(set_events)
    set_events.clear()
    by_sqlmodel(Tracked, name="t")
    assert ours == set_events == [("name", "t"), ("size", 7)]


# -- classes that keep SQLModel's constructor --------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "data"),
    [
        pytest.param(Assigned, {"name": "a", "size": "2"}, id="validate_assignment"),
        pytest.param(PostInit, {"name": "p"}, id="model_post_init"),
        pytest.param(Private, {"name": "p"}, id="private-attribute"),
    ],
)
def test_classes_the_plan_cannot_mirror_keep_sqlmodels_constructor(
    cls: type[Any], data: dict[str, Any]
) -> None:
    built_both_ways(cls, **data)
    assert construction._PLANS[cls] is None


def test_what_the_fallbacks_do_still_happens() -> None:
    assigned = Assigned(name="a", size="2")
    assert assigned.size == 2  # validated on assignment
    post = PostInit(name="p")
    assert post.note == "post p"
    assert post.model_fields_set == {"name", "note"}
    private = Private(name="p")
    assert private.__pydantic_private__ == {"_cache": {}}
    assert private._cache is not Private(name="q")._cache


def test_a_model_that_is_no_table_is_validated() -> None:
    with pytest.raises(pydantic.ValidationError):
        Draft(name="d", size="big")
    draft = Draft(name="d", size="5")
    assert draft.size == 5
    assert draft.model_fields_set == {"name", "size"}
    assert construction._PLANS[Draft] is None
    with pytest.raises(pydantic.ValidationError):
        Draft(size=1)


def test_a_model_defining_setattr_sees_every_field_as_in_sqlmodel() -> None:
    Guarded(name="g")
    ours = [name for _model, name, _value in CALLS]
    CALLS.clear()
    by_sqlmodel(Guarded, name="g")
    assert ours == [name for _model, name, _value in CALLS]
