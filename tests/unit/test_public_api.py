"""The public API: every name a package exports in ``__all__`` imports and is documented."""

import importlib
import inspect
from pathlib import Path

import pytest

PACKAGES = ["lys", "lys.graphql", "lys.jobs", "lys.permissions", "lys.services", "lys.models"]


def exported() -> list[tuple[str, str]]:
    return [
        (package, name) for package in PACKAGES for name in importlib.import_module(package).__all__
    ]


@pytest.mark.parametrize(("package", "name"), exported())
def test_exported_name_imports_and_is_documented(package: str, name: str) -> None:
    module = importlib.import_module(package)
    obj = getattr(module, name)  # AttributeError: listed in __all__ but not defined
    if isinstance(obj, str | int | float | bool | bytes | tuple | frozenset):
        return  # a constant
    assert inspect.getdoc(obj), f"{package}.{name} has no docstring"


@pytest.mark.parametrize("package", PACKAGES)
def test_all_has_no_duplicates(package: str) -> None:
    names = importlib.import_module(package).__all__
    assert len(names) == len(set(names))


def test_core_names_are_exported_from_lys() -> None:
    import lys

    for name in [
        "Application",
        "load_settings",
        "Settings",
        "Entity",
        "ParametricEntity",
        "UserOwned",
        "OrganizationOwned",
        "EntityService",
        "ParametricEntityService",
        "Service",
        "LysError",
        "NotFoundError",
        "ValidationError",
        "PermissionDeniedError",
        "ImproperlyConfigured",
        "ParametricFixture",
        "BusinessFixture",
        "ParametricRow",
        "getter",
        "connection",
        "creation",
        "edition",
        "deletion",
        "validate_input",
        "job",
        "periodic",
    ]:
        assert name in lys.__all__


def test_package_is_marked_typed() -> None:
    import lys

    assert (Path(lys.__file__).parent / "py.typed").is_file()
