from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from apps.catalog.models import Product, ProductCategory
from lys import EntityService, ValidationError
from lys.services import ParametricEntityService

CENT = Decimal("0.01")


class ProductCategoryService(ParametricEntityService[ProductCategory]):
    def enabled(self, session: Session) -> list[ProductCategory]:
        model = self.model
        stmt = select(model).where(model.enabled.is_(True)).order_by(model.id)
        return list(session.scalars(stmt))


class ProductService(EntityService[Product]):
    def search(self, search: str | None = None, category_id: str | None = None) -> Select[Any]:
        """Products matching a name fragment (case-insensitive, taken literally) and a category."""
        model = self.model
        stmt = select(model)
        if search and search.strip():
            stmt = stmt.where(model.name.icontains(search.strip(), autoescape=True))
        if category_id is not None:
            stmt = stmt.where(model.category_id == category_id)
        return stmt

    def create_product(
        self,
        session: Session,
        *,
        name: str,
        price: Decimal,
        category_id: str,
        client_id: uuid.UUID | None = None,
    ) -> Product:
        values = self._checked(name=name, price=price)
        self._check_category(session, category_id)
        product = self.model(category_id=category_id, client_id=client_id, **values)
        # Written at the commit: alone, the INSERT is the whole transaction (one
        # statement). A category deleted meanwhile fails there on its foreign key.
        session.add(product)
        return product

    def update_product(self, session: Session, product: Product, **changes: Any) -> Product:
        """Change name, price, category or client; other keys are not the caller's to
        change. Whether the caller may move the product is the caller's check (the
        GraphQL helpers check the product against their reach after the change)."""
        keys = ("name", "price", "category_id", "client_id")
        allowed = {key: changes[key] for key in keys if key in changes}
        values = self._checked(**allowed)
        for key, value in values.items():
            setattr(product, key, value)
        if "client_id" in allowed:
            product.client_id = allowed["client_id"]
        if "category_id" in allowed:
            self._check_category(session, allowed["category_id"])
            product.category_id = allowed["category_id"]
        self._flush(session)
        return product

    def update_price(self, session: Session, product_id: uuid.UUID, price: Decimal) -> Product:
        return self.update_product(session, self.get_or_404(session, product_id), price=price)

    def _checked(self, **values: Any) -> dict[str, Any]:
        checked = {}
        if "name" in values:
            name = values["name"].strip()
            if not name:
                raise ValidationError("A product needs a name.", extensions={"field": "name"})
            checked["name"] = name
        if "price" in values:
            checked["price"] = self._checked_price(values["price"])
        return checked

    def _checked_price(self, price: Decimal) -> Decimal:
        if price < 0 or price >= Decimal("100000000"):
            raise ValidationError(
                "The price must be between 0 and 99999999.99.", extensions={"field": "price"}
            )
        if price != price.quantize(CENT):
            raise ValidationError(
                "The price has at most two decimal places.", extensions={"field": "price"}
            )
        return price.quantize(CENT)

    def _check_category(self, session: Session, category_id: str) -> None:
        """Refuse unknown and disabled categories (cached reference data: usually no query)."""
        if not self.service("product_category").is_enabled(session, category_id):
            raise ValidationError(
                "Unknown or disabled product category.", extensions={"field": "categoryId"}
            )

    def _flush(self, session: Session) -> None:
        """Write now; a category deleted meanwhile still fails on its foreign key."""
        try:
            session.flush()
        except IntegrityError:
            raise ValidationError(
                "Unknown product category.", extensions={"field": "categoryId"}
            ) from None
