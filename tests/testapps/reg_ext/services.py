from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from apps.catalog.services import ProductService as CatalogProductService
from lys import EntityService
from tests.testapps.reg_ext.models import Brand

#: The rating the extended service gives every product created without one.
DEFAULT_RATING = 3


class BrandService(EntityService[Brand]):
    def create_brand(self, session: Session, name: str) -> Brand:
        return self.create(session, name=name)


class ProductService(CatalogProductService):
    """Sets a default rating on creation and also matches the brand's name in search."""

    def create_product(self, session: Session, *, price: Decimal, **values: Any) -> Any:
        product = super().create_product(session, price=price, **values)
        product.rating = DEFAULT_RATING
        session.flush()
        return product

    def search(self, search: str | None = None, category_id: str | None = None) -> Select[Any]:
        stmt = super().search(None, category_id)
        if search and search.strip():
            model = self.model
            brand = self.registry.model("brand")
            fragment = search.strip()
            brand_ids = select(brand.id).where(brand.name.icontains(fragment, autoescape=True))
            stmt = stmt.where(
                or_(
                    model.name.icontains(fragment, autoescape=True),
                    model.brand_id.in_(brand_ids),
                )
            )
        return stmt
