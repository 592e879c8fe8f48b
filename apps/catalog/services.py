from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from apps.catalog.models import Product, ProductCategory
from lys import EntityService, ValidationError

CENT = Decimal("0.01")


class ProductCategoryService(EntityService[ProductCategory]):
    def enabled(self, session: Session) -> list[ProductCategory]:
        model = self.model
        return list(
            session.scalars(select(model).where(model.enabled.is_(True)).order_by(model.id))
        )


class ProductService(EntityService[Product]):
    def search(self, search: str | None = None, category_id: str | None = None) -> Select[Any]:
        """Products matching a name fragment (case-insensitive) and a category."""
        model = self.model
        stmt = select(model).options(selectinload(model.category))
        if search and search.strip():
            stmt = stmt.where(model.name.icontains(search.strip(), autoescape=True))
        if category_id:
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
        name = name.strip()
        if not name:
            raise ValidationError("A product needs a name.", extensions={"field": "name"})
        self._check_price(price)
        self._check_category(session, category_id)
        return self.create(
            session,
            name=name,
            price=price.quantize(CENT),
            category_id=category_id,
            client_id=client_id,
        )

    def update_price(self, session: Session, product_id: uuid.UUID, price: Decimal) -> Product:
        self._check_price(price)
        product = self.get_or_404(session, product_id)
        product.price = price.quantize(CENT)
        session.flush()
        return product

    def _check_price(self, price: Decimal) -> None:
        if price < 0 or price >= Decimal("100000000"):
            raise ValidationError(
                "The price must be between 0 and 99999999.99.", extensions={"field": "price"}
            )
        if price != price.quantize(CENT):
            raise ValidationError(
                "The price has at most two decimal places.", extensions={"field": "price"}
            )

    def _check_category(self, session: Session, category_id: str) -> None:
        category = self.service("product_category").get(session, category_id)
        if category is None or not category.enabled:
            raise ValidationError(
                f"Unknown or disabled product category {category_id!r}.",
                extensions={"field": "categoryId"},
            )
