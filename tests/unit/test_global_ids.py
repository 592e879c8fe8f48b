"""lys.graphql.global_ids: encoding, decoding every malformed id, primary keys."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any

import pydantic
import pytest
from sqlalchemy import Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from lys.errors import ValidationError
from lys.graphql.global_ids import (
    MAX_ID_LENGTH,
    GlobalId,
    decode_global_id,
    encode_global_id,
    parse_pk,
)

PK = uuid.UUID("8a1b9f8e-3c2d-4e5f-9a0b-1c2d3e4f5a6b")


def b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode("ascii")


class _Base(DeclarativeBase):
    pass


class IntKeyed(_Base):
    __tablename__ = "tk_int_keyed"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class UuidKeyed(_Base):
    __tablename__ = "tk_uuid_keyed"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)


class StrKeyed(_Base):
    __tablename__ = "tk_str_keyed"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)


# -- encoding ------------------------------------------------------------------------------


def test_encoding_is_standard_base64_of_type_colon_pk() -> None:
    assert encode_global_id("ProductNode", PK) == b64(f"ProductNode:{PK}")
    assert (
        encode_global_id("ProductCategoryNode", "BOOKS") == "UHJvZHVjdENhdGVnb3J5Tm9kZTpCT09LUw=="
    )
    assert encode_global_id("Thing", 42) == b64("Thing:42")


@pytest.mark.parametrize(
    ("type_name", "pk"),
    [
        ("ProductNode", PK),
        ("ProductCategoryNode", "BOOKS"),
        ("ProductCategoryNode", "x"),
        ("_Private", "été-ünïcode"),
        ("Thing", 0),
        ("Thing", 2**63 - 1),
        ("A1", "with spaces and / slashes + plus="),
    ],
)
def test_decoding_gives_back_what_was_encoded(type_name: str, pk: Any) -> None:
    global_id = encode_global_id(type_name, pk)
    assert decode_global_id(global_id) == (type_name, str(pk))
    assert decode_global_id(global_id, type_name) == (type_name, str(pk))
    assert decode_global_id(global_id, [type_name, "Other"]) == (type_name, str(pk))


def test_padding_may_be_left_out() -> None:
    global_id = encode_global_id("ProductCategoryNode", "BOOKS")
    assert global_id.endswith("==")
    assert decode_global_id(global_id.rstrip("=")) == ("ProductCategoryNode", "BOOKS")


# -- malformed ids -------------------------------------------------------------------------

MALFORMED: dict[str, Any] = {
    "none": None,
    "int": 5,
    "float": 1.5,
    "bytes": b64("ProductNode:1").encode(),
    "list": [b64("ProductNode:1")],
    "dict": {"id": b64("ProductNode:1")},
    "empty": "",
    "one-character": "A",
    "not-base64": "not base64!",
    "url-safe-alphabet": b64(b"\xfb\xff\xfe:x").replace("+", "-").replace("/", "_"),
    "too-much-padding": b64("ProductNode:1") + "===",
    "inner-padding": "UHJv=ZHVj",
    "whitespace": " " + b64("ProductNode:1"),
    "trailing-newline": b64("ProductNode:1") + "\n",
    "not-utf8": b64(b"\xff\xfe:\xfd"),
    "no-separator": b64("ProductNode1"),
    "extra-separator": b64("ProductNode:1:2"),
    "empty-pk": b64("ProductNode:"),
    "empty-type": b64(":1"),
    "only-separator": b64(":"),
    "type-with-space": b64("Product Node:1"),
    "type-with-digit-first": b64("1Product:1"),
    "type-with-dash": b64("Product-Node:1"),
    "nul-in-pk": b64("ProductNode:1\x00"),
    "too-long": b64("ProductNode:" + "x" * MAX_ID_LENGTH),
    "huge": "QUJD" * 250_000,
}


@pytest.mark.parametrize("value", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_ids_are_validation_errors(value: Any) -> None:
    for expected in (None, "ProductNode", ["ProductNode", "Other"]):
        with pytest.raises(ValidationError) as caught:
            decode_global_id(value, expected, field="ids.3")
        error = caught.value
        assert error.code == "VALIDATION_ERROR"
        assert error.extensions["status_code"] == 400
        assert error.extensions["field"] == "ids.3"
        assert len(error.detail) < 200  # the id is quoted in part only


def test_the_longest_id_accepted() -> None:
    pk = "x" * 300
    global_id = encode_global_id("T", pk)
    assert len(global_id) <= MAX_ID_LENGTH
    assert decode_global_id(global_id) == ("T", pk)


def test_an_id_of_another_type_is_refused_naming_both() -> None:
    global_id = encode_global_id("ProductCategoryNode", "BOOKS")
    with pytest.raises(ValidationError) as caught:
        decode_global_id(global_id, "ProductNode", field="product")
    assert "ProductCategoryNode" in caught.value.detail
    assert "ProductNode id is expected" in caught.value.detail
    assert caught.value.extensions["field"] == "product"
    with pytest.raises(ValidationError) as caught:
        decode_global_id(global_id, ["ProductNode", "UserNode"])
    assert "ProductNode or UserNode" in caught.value.detail


def test_no_expected_type_accepts_any_but_an_empty_collection_accepts_none() -> None:
    global_id = encode_global_id("Anything", "1")
    assert decode_global_id(global_id) == ("Anything", "1")
    assert decode_global_id(global_id, None) == ("Anything", "1")
    for empty in ([], set(), {}.keys(), ()):
        with pytest.raises(ValidationError):
            decode_global_id(global_id, empty)


# -- primary keys --------------------------------------------------------------------------


def test_uuid_primary_keys() -> None:
    assert parse_pk(UuidKeyed, str(PK)) == PK
    assert parse_pk(UuidKeyed, PK.hex) == PK
    for bad in ("not-a-uuid", "1234", str(PK)[:-1], str(PK) + "0", ""):
        with pytest.raises(ValidationError) as caught:
            parse_pk(UuidKeyed, bad, field="categoryId")
        assert caught.value.extensions["field"] == "categoryId"


def test_integer_primary_keys() -> None:
    assert parse_pk(IntKeyed, "42") == 42
    assert parse_pk(IntKeyed, "0") == 0
    assert parse_pk(IntKeyed, str(2**63 - 1)) == 2**63 - 1
    for bad in ("-1", "+1", "1.0", "1e3", " 1", "0x10", "", "²", "١٢", "1_000", str(2**63)):
        with pytest.raises(ValidationError):
            parse_pk(IntKeyed, bad)


def test_string_primary_keys_are_kept_as_they_are() -> None:
    assert parse_pk(StrKeyed, "BOOKS") == "BOOKS"
    assert parse_pk(StrKeyed, "with spaces") == "with spaces"


# -- the pydantic annotation -----------------------------------------------------------------


class _Inputs(pydantic.BaseModel):
    category_id: Annotated[str, GlobalId("ProductCategoryNode")]


def test_global_id_annotation_hands_over_the_primary_key() -> None:
    inputs = _Inputs.model_validate({"category_id": encode_global_id("ProductCategoryNode", "X")})
    assert inputs.category_id == "X"


@pytest.mark.parametrize(
    "value",
    [encode_global_id("ProductNode", PK), "garbage", None, 5, b64("ProductCategoryNode:")],
)
def test_global_id_annotation_refuses_bad_ids_as_field_errors(value: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        _Inputs.model_validate({"category_id": value})
    (error,) = caught.value.errors()
    assert error["loc"] == ("category_id",)
