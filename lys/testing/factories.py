"""factory-boy base factories that write with the current test's application and session.

Table classes are built per application, so a factory names its model the way the
registry does (``class Meta: model = "product"``) and the class is looked up in the
active application when the factory runs. Created rows are committed: HTTP requests,
which use connections of their own, see them; the plugin empties the tables after the
test. Needs factory-boy (``pip install 'lys[testing]'``).
"""

from __future__ import annotations

from typing import Any

import factory
from factory import enums
from factory.alchemy import SQLAlchemyModelFactory, SQLAlchemyOptions
from factory.base import OptionDefault, StubObject

from lys.auth.passwords import hash_password
from lys.testing.context import active, current_session
from lys.testing.users import DEFAULT_PASSWORD, create_user

__all__ = ["ClientFactory", "EntityFactory", "ParametricFactory", "UserFactory"]


class EntityOptions(SQLAlchemyOptions):
    # Set by factory_boy from the options below (annotations only, for type checkers).
    requires_app: str | None
    factory: Any

    def _build_default_options(self) -> list[OptionDefault]:
        return [
            *super()._build_default_options(),
            # The app that defines the model, named in the error when it is not installed.
            OptionDefault("requires_app", None, inherit=True),
        ]

    def resolve_model(self) -> Any:
        """The model class: ``Meta.model`` itself, or the active application's table class
        of that name."""
        if not isinstance(self.model, str):
            return self.model
        registry = active().application.registry
        if self.model not in registry.tables:
            needs = f"the app {self.requires_app} in INSTALLED_APPS" if self.requires_app else ""
            raise LookupError(
                f"{self.factory.__name__} makes {self.model!r} rows, but no installed app "
                f"defines that model{'; it needs ' + needs if needs else ''}"
            )
        return registry.tables[self.model]

    def instantiate(self, step: Any, args: Any, kwargs: Any) -> Any:
        model = self.resolve_model()
        if step.builder.strategy == enums.BUILD_STRATEGY:
            return self.factory._build(model, *args, **kwargs)
        if step.builder.strategy == enums.CREATE_STRATEGY:
            return self.factory._create(model, *args, **kwargs)
        return StubObject(**kwargs)


class EntityFactory(SQLAlchemyModelFactory):
    """Base of model factories: ``Meta.model`` is a model name (or a table class)."""

    _options_class = EntityOptions
    _meta: EntityOptions

    class Meta:
        abstract = True
        sqlalchemy_session_factory = current_session
        sqlalchemy_session_persistence = "commit"

    @classmethod
    def _generate(cls, strategy: Any, params: Any) -> Any:
        # Fail on a missing model before sub-factories create anything.
        if not cls._meta.abstract:
            cls._meta.resolve_model()
        return super()._generate(strategy, params)


class ParametricFactory(EntityFactory):
    """Reference rows (``ParametricEntity``): an existing code is reused, not duplicated
    (fixtures may have loaded it), and left as it is."""

    class Meta:
        abstract = True

    id = factory.Sequence(lambda n: f"CODE_{n}")
    enabled = True
    description = None

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        existing = current_session().get(model_class, kwargs["id"])
        if existing is not None:
            return existing
        return super()._create(model_class, *args, **kwargs)


class UserFactory(EntityFactory):
    """An enabled user with an email address and ``DEFAULT_PASSWORD``, made by the
    ``user`` service. ``status="DISABLED"``, ``is_super_user=True``, ``password=...``."""

    class Meta:
        model = "user"

    email = factory.Sequence(lambda n: f"factory-user{n}@example.test")
    password = DEFAULT_PASSWORD
    is_super_user = False
    status = "ENABLED"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        session = current_session()
        user = create_user(active().application, session, **kwargs)
        session.commit()
        return user

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        """An unsaved user row (no email address row: that needs the database)."""
        kwargs.pop("email", None)
        password = kwargs.pop("password", None)
        status = kwargs.pop("status", "ENABLED")
        return model_class(
            password=hash_password(password) if password else None,
            status_id=status,
            **kwargs,
        )


class ClientFactory(EntityFactory):
    """A client organization owned by a new user; needs the organization app."""

    class Meta:
        model = "client"
        requires_app = "lys.apps.organization"

    name = factory.Sequence(lambda n: f"Client {n}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> Any:
        owner = kwargs.pop("owner", None)
        if owner is not None:
            kwargs["owner_id"] = owner.id
        return kwargs
