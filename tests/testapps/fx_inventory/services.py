from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lys import EntityService
from tests.testapps.fx_inventory.models import FxUser

# Cheap parameters: the tests hash a few passwords, they do not need real cost.
_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class FxUserService(EntityService[FxUser]):
    def hash_password(self, password: str) -> str:
        return _HASHER.hash(password)

    def verify_password(self, password_hash: str, password: str) -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except VerificationError:
            return False

    def by_email(self, session: Session, email: str) -> FxUser | None:
        model = self.model
        return session.scalars(select(model).where(model.email == email)).first()
