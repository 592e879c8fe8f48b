"""``GET /.well-known/jwks.json``: the public keys this service signs with.

Other services verify this service's tokens with them: user access tokens (an
asymmetric JWT_ALGORITHM) and service tokens (a TRUSTED_SERVICES entry with a
``jwks_url``). The current key comes first, then those still published after a
rotation (``SIGNING_KEYS_PREVIOUS``). A service that signs nothing publishes none.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from lys.auth.keys import key_ring

PATH = "/.well-known/jwks.json"
#: Verifiers fetch again on an unknown ``kid``, so a rotation does not wait for this.
MAX_AGE = 300


@get(PATH, sync_to_thread=False, include_in_schema=False)
def jwks(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    ring = key_ring(request.app.state["lys"].settings)
    body = ring.jwks() if ring is not None else {"keys": []}
    return Response(body, headers={"cache-control": f"public, max-age={MAX_AGE}"})
