"""HTTP: the Litestar application serving GraphQL and health probes."""

from lys.http.app import create_asgi_app

__all__ = ["create_asgi_app"]
