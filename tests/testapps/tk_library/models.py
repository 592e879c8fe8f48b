from __future__ import annotations

import uuid

from sqlmodel import Field, Relationship

from lys import Entity


class TkPublisher(Entity):
    __tablename__ = "tk_publisher"

    name: str = Field(max_length=100)


class TkAuthor(Entity):
    __tablename__ = "tk_author"

    name: str = Field(max_length=100)
    #: Nullable on purpose: ordering a connection by it must be refused.
    nickname: str | None = Field(default=None, max_length=100)

    books: list[TkBook] = Relationship(back_populates="author")


class TkBook(Entity):
    __tablename__ = "tk_book"

    title: str = Field(max_length=100)
    author_id: uuid.UUID = Field(foreign_key="tk_author.id", index=True)
    publisher_id: uuid.UUID = Field(foreign_key="tk_publisher.id", index=True)

    author: TkAuthor = Relationship(back_populates="books")
    publisher: TkPublisher = Relationship()
