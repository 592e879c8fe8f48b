"""The permission chain's evaluation rules (upstream semantics, without a database)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from lys.auth.principal import Principal
from lys.errors import ImproperlyConfigured, LysError, PermissionDeniedError
from lys.permissions import (
    ALLOW,
    FULL,
    NO_OPINION,
    NOTHING,
    Access,
    AccessDeniedError,
    PermissionChain,
    Verdict,
    Webservice,
    deny,
    partial,
)
from lys.permissions.install import build_chain
from lys.permissions.scopes import check_tenant_columns
from lys.permissions.webservices import UNCHANGED, WebserviceOverride, _apply


@dataclass
class Context:
    principal: Principal | None = None
    service_caller: Any = None
    access: Any = None


USER = Principal(user_id=uuid.uuid4(), session_id=None)
WS = Webservice(name="all_things", field_name="allThings", operation_type="query")


class Fixed:
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.asked = 0

    def check(self, context: Any, webservice: Any) -> Verdict:
        self.asked += 1
        return self.verdict


class Raises:
    def check(self, context: Any, webservice: Any) -> Verdict:
        raise RuntimeError("broken")


def test_the_first_boolean_wins_and_stops_the_chain():
    later = Fixed(ALLOW)
    chain = PermissionChain([Fixed(NO_OPINION), Fixed(deny()), later])
    with pytest.raises(PermissionDeniedError):
        chain.evaluate(Context(USER), WS)
    assert later.asked == 0
    assert PermissionChain([Fixed(ALLOW), Fixed(deny())]).evaluate(Context(USER), WS) == FULL


def test_partial_grants_merge_and_the_chain_goes_on():
    a = partial(Access.scoped(owner=True))
    b = partial(Access.scoped(organizations={"client": {1, 2}}))
    c = partial(Access.scoped(organizations={"client": {3}, "team": {9}}))
    access = PermissionChain([Fixed(a), Fixed(b), Fixed(c)]).evaluate(Context(USER), WS)
    assert access.owner and not access.full
    assert access.organizations == {"client": frozenset({1, 2, 3}), "team": frozenset({9})}


def test_a_later_yes_upgrades_partial_grants_to_everything():
    chain = PermissionChain([Fixed(partial(Access.scoped(owner=True))), Fixed(ALLOW)])
    assert chain.evaluate(Context(USER), WS) == FULL


def test_a_later_no_cancels_partial_grants():
    chain = PermissionChain([Fixed(partial(Access.scoped(owner=True))), Fixed(deny())])
    with pytest.raises(PermissionDeniedError):
        chain.evaluate(Context(USER), WS)


def test_nothing_granted_answers_by_who_is_calling():
    with pytest.raises(AccessDeniedError):
        PermissionChain([]).evaluate(Context(None), WS)
    with pytest.raises(PermissionDeniedError):
        PermissionChain([]).evaluate(Context(USER), WS)
    with pytest.raises(PermissionDeniedError):
        PermissionChain([Fixed(partial(NOTHING))]).evaluate(Context(USER), WS)


def test_the_last_named_error_is_the_answer():
    class Teapot(LysError):
        code = "TEAPOT"

    chain = PermissionChain([Fixed(Verdict(None, AccessDeniedError)), Fixed(Verdict(None, Teapot))])
    with pytest.raises(Teapot):
        chain.evaluate(Context(None), WS)


def test_a_class_that_raises_counts_as_no_opinion(caplog: pytest.LogCaptureFixture):
    with pytest.raises(PermissionDeniedError):
        PermissionChain([Raises()]).evaluate(Context(USER), WS)
    assert PermissionChain([Raises(), Fixed(ALLOW)]).evaluate(Context(USER), WS) == FULL
    assert "counted as no opinion" in caplog.text


def test_baseline_by_caller():
    class Teams:
        def check(self, context: Any, webservice: Any) -> Verdict:
            return NO_OPINION

        def baseline(self, context: Any) -> Access:
            return Access.scoped(organizations={"team": {7}})

    chain = PermissionChain([Teams()])
    assert chain.baseline(Context(None)) == NOTHING
    assert chain.baseline(Context(Principal(uuid.uuid4(), None, is_super_user=True))) == FULL
    access = chain.baseline(Context(USER))
    assert access.owner and access.organizations == {"team": frozenset({7})}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"public_type": "NO_LIMITATION", "access_levels": ("OWNER",)}, "cannot be configured"),
        ({"public_type": "NO_LIMITATION", "is_licenced": True}, "cannot be licenced"),
        ({"access_levels": ("CONNECTED", "OWNER")}, "connected access level"),
        ({"access_levels": ("ADMIN",)}, "unknown access levels"),
    ],
)
def test_wrong_configurations_name_the_field(changes: dict[str, Any], message: str):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        Webservice(
            name="all_things", field_name="allThings", operation_type="query", **changes
        ).validate()
    assert "allThings" in str(caught.value) and "all_things" in str(caught.value)


def test_connected_may_go_with_internal_service():
    Webservice(
        name="x",
        field_name="x",
        operation_type="query",
        access_levels=("CONNECTED", "INTERNAL_SERVICE"),
    ).validate()


def test_an_override_changes_only_what_it_names_and_is_validated():
    known = {"all_things": WS}
    changed = _apply(known, WebserviceOverride("later", "all_things", levels=("OWNER", "ROLE")))
    assert changed.access_levels == ("OWNER", "ROLE") and changed.enabled and changed.app == "later"
    public = _apply(known, WebserviceOverride("later", "all_things", public="NO_LIMITATION"))
    assert public.public_type == "NO_LIMITATION"
    with pytest.raises(ImproperlyConfigured, match=r"later.*no installed app declares"):
        _apply(known, WebserviceOverride("later", "nothing_here", enabled=False))
    with pytest.raises(ImproperlyConfigured, match="changed by later"):
        _apply(
            {
                "all_things": Webservice(
                    "all_things", "allThings", "query", access_levels=("OWNER",)
                )
            },
            WebserviceOverride("later", "all_things", public="NO_LIMITATION", levels=UNCHANGED),
        )


class _Registry:
    permissions: list[Any] = []


def test_permission_classes_from_settings_replace_the_chain():
    chain = build_chain(_Registry(), ["tests.testapps.perm_notes.permissions.DenyEverything"])
    assert [type(p).__name__ for p in chain.permissions] == ["DenyEverything"]
    with pytest.raises(PermissionDeniedError):
        chain.evaluate(Context(Principal(uuid.uuid4(), None, is_super_user=True)), WS)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("tests.testapps.perm_notes.permissions.Nope", "has no 'Nope'"),
        ("no_such_module.Permission", "cannot import"),
        ("builtins.dict", "has no check"),
    ],
)
def test_permission_classes_that_cannot_work_stop_the_start(path: str, message: str):
    with pytest.raises(ImproperlyConfigured, match=message):
        build_chain(_Registry(), [path])


def test_a_tenant_column_without_scopes_stops_the_start():
    class Table:
        def __init__(self, *names: str) -> None:
            self.columns = {name: None for name in names}

    from lys import Entity
    from lys.models.scopes import OrganizationOwned

    class Scoped(OrganizationOwned, Entity):
        pass

    class Bare(Entity):
        pass

    Scoped.__table__ = Table("id", "client_id")  # type: ignore[attr-defined]
    Bare.__table__ = Table("id", "client_id")  # type: ignore[attr-defined]
    check_tenant_columns({"scoped": Scoped}, {"client_id": "client"})
    with pytest.raises(
        ImproperlyConfigured, match=r"'bare'.*client_id.*organization_accessing_filters"
    ):
        check_tenant_columns({"scoped": Scoped, "bare": Bare}, {"client_id": "client"})
