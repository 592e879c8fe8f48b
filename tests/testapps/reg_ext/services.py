from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from apps.catalog.services import ProductService as CatalogProductService
from lys import EntityService
from tests.testapps.reg_ext.models import Brand, Product

#: The rating this app's product service gives every product it creates.
DEFAULT_RATING = 3


class BrandService(EntityService[Brand]):
    def create_brand(self, session: Session, name: str) -> Brand:
        return self.create(session, name=name)


class ProductService(CatalogProductService):
    """Replaces the catalog's: new products get a rating; search also matches brands."""

    def create_product(self, session: Session, **values: Any) -> Product:
        product = super().create_product(session, **values)
        product.rating = DEFAULT_RATING
        session.flush()
        return product

    def search(self, search: str | None = None, category_id: str | None = None) -> Select[Any]:
        stmt = super().search(None, category_id)
        fragment = (search or "").strip()
        if not fragment:
            return stmt
        model = self.model
        brand = self.registry.model("brand")
        brand_ids = select(brand.id).where(brand.name.icontains(fragment, autoescape=True))
        return stmt.where(
            or_(model.name.icontains(fragment, autoescape=True), model.brand_id.in_(brand_ids))
        )
