"""The server routes beside the pages (serve.py mounts them): the sign-in cookie, set and cleared HttpOnly.

See rag/workspace/sessions.py (CookieHandover) for why a route: a page script can't set an HttpOnly cookie.
"""

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rag.workspace.sessions import HANDOVER, HANDOVER_PATH, SESSION_COOKIE, SIGN_OUT_PATH


def _secure(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _other_site(request: Request) -> bool:
    """A request a page of another site made (its Origin names another host): refused."""
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def session_cookie(request: Request) -> Response:
    """POST a single-use code (the body) the page was given at sign-in: the answer sets the HttpOnly cookie."""
    if _other_site(request):
        return Response("Sign in from Grounded's own page.", status_code=403)
    body = await request.body()
    handed = HANDOVER.take(body[:200].decode("ascii", errors="replace").strip())
    if handed is None:
        return Response("That sign-in code is unknown, used or expired. Sign in again.", status_code=403)
    token, max_age = handed
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=_secure(request))
    return response


async def sign_out_cookie(request: Request) -> Response:
    """Forget the session cookie in this browser (the session itself already ended on the server)."""
    if _other_site(request):
        return Response("Sign out from Grounded's own page.", status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


ROUTES = [Route(HANDOVER_PATH, session_cookie, methods=["POST"]), Route(SIGN_OUT_PATH, sign_out_cookie, methods=["POST"])]
