"""The review page: `claimcheck serve`, a local web app over the same store and search calls as the CLI.

Server-rendered Jinja2 (autoescaped) and one small script of keyboard shortcuts, every page also as JSON
with `?format=json`. Article text is untrusted and the page can change the database, hence: writes only by
POST with a CSRF token, a strict Content-Security-Policy, Host checked against the address served (DNS
rebinding), static files served from memory (no request path reaches the file system), and every error a
page with a status, never a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from functools import wraps
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import chart, claimreview, review, store, timeline
from .config import Settings
from .errors import ClaimcheckError, DatabaseError, InputError, NotFoundError
from .pages import (KINDS, RELATIONS, STATUSES, Filters, articles_by_name, flag_counts, flag_sides, neighbours,
                    select_flags)

DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed"}
MAX_NOTE, MAX_REVIEWER = 10_000, 200
REVIEWER_COOKIE = "claimcheck_reviewer"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]
STATIC_TYPES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}


class HttpError(Exception):
    """A request the page refuses, with the status and the sentence to show."""

    def __init__(self, status: int, message: str, kept: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.kept = status, message, kept or {}


class _SecurityHeaders:
    """Adds the CSP and friends to every response, error pages included."""

    def __init__(self, app: Callable):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ReviewApp:
    """The routes over one database; `embedder` is loaded on the first query unless given (tests pass one)."""

    def __init__(self, settings: Settings, read_only: bool = False, embedder: Any = None, busy_ms: int = 5000):
        self.settings, self.read_only, self.embedder, self.busy_ms = settings, read_only, embedder, busy_ms
        self.csrf_token = secrets.token_urlsafe(32)
        folder = resources.files("claimcheck")
        self.static = {name: (folder / "static" / name).read_bytes() for name in STATIC_TYPES}
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("claimcheck", "templates"),
                                            autoescape=True, undefined=jinja2.StrictUndefined)

    @contextlib.contextmanager
    def database(self) -> Iterator[Any]:
        """A connection for one request (sqlite3 connections belong to one thread); short lock waits."""
        db = store.open_db(self.settings.db_path)
        store.set_busy_timeout(db, self.busy_ms)
        try:
            yield db
        finally:
            db.close()

    def render(self, request: Request, template: str, data: dict, status: int = 200, **extra: Any) -> Response:
        """The page, or its data as JSON with ?format=json."""
        if request.query_params.get("format") == "json":
            return JSONResponse(data, status_code=status)
        page = self.templates.get_template(template).render(
            **data, **extra, csrf_token=self.csrf_token, read_only=self.read_only, db_name=self.settings.db_path.name)
        return HTMLResponse(page, status_code=status)

    def error(self, request: Request, status: int, message: str, kept: dict[str, str] | None = None) -> Response:
        return self.render(request, "error.html", {"error": message, "status": status}, status=status, kept=kept or {})


def _guarded(view: Callable) -> Callable:
    """Turn the library's and the page's errors into a page with a status (the CLI's one clear line)."""

    @wraps(view)
    async def wrapper(request: Request) -> Response:
        web: ReviewApp = request.app.state.review
        try:
            return await view(web, request)
        except HttpError as error:
            return web.error(request, error.status, error.message, error.kept)
        except NotFoundError as error:
            return web.error(request, 404, str(error))
        except InputError as error:
            return web.error(request, 400, str(error))
        except DatabaseError as error:
            return web.error(request, 503, str(error))
        except ClaimcheckError as error:
            return web.error(request, 500, str(error))
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                return web.error(request, 503, "the database is busy: another claimcheck (a running report?) is "
                                 "writing to it. Nothing was changed; try again in a moment.")
            return web.error(request, 500, f"the database refused the request ({error})")

    return wrapper


@_guarded
async def flags_page(web: ReviewApp, request: Request) -> Response:
    filters = Filters.parse(request.query_params)

    def read() -> dict:
        with web.database() as db:
            every_status = select_flags(db, filters, by_status=False)
            shown = select_flags(db, filters)
            names = articles_by_name(db)
        return {"filters": dataclasses.asdict(filters), "count": len(shown), "counts": flag_counts(every_status),
                "flags": shown, "articles": sorted(names),
                "outlets": sorted({row["outlet"] for row in names.values() if row["outlet"]})}

    data = await run_in_threadpool(read)
    return web.render(request, "flags.html", data, query=filters.query(), kinds=KINDS, relations=RELATIONS,
                      statuses=STATUSES)


@_guarded
async def flag_page(web: ReviewApp, request: Request) -> Response:
    filters = Filters.parse(request.query_params)
    flag_id = request.path_params["flag_id"]

    def read() -> dict:
        with web.database() as db:
            flag = store.flag_by_id(db, flag_id)
            if flag is None:
                raise NotFoundError(f"no flag with id {flag_id!r}")
            flag["relation"] = timeline.relation_of(flag)
            previous, following = neighbours(select_flags(db, filters), flag_id)
            return {"flag": flag, "sides": flag_sides(db, flag), "previous": previous, "next": following,
                    "repeats": review.repeats_of(db, flag)}

    data = await run_in_threadpool(read)
    reviewer = unquote(request.cookies.get(REVIEWER_COOKIE, ""))[:MAX_REVIEWER]
    return web.render(request, "flag.html", data, query=filters.query(), reviewer=reviewer)


@_guarded
async def review_flag(web: ReviewApp, request: Request) -> Response:
    """Record a decision: the same row `claimcheck review` writes."""
    if web.read_only:
        raise HttpError(403, "this server is read-only (started with --read-only): no decision was recorded")
    try:
        form = await request.form(max_files=0, max_fields=20)
    except Exception:  # noqa: BLE001 - a malformed body of any sort is the sender's mistake
        raise HttpError(400, "the form could not be read: nothing was recorded") from None
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    kept = {key: fields[key] for key in ("note", "reviewer") if fields.get(key)}
    _check_origin(request, fields, kept)
    decision = DECISIONS.get(fields.get("decision", ""))
    if decision is None:
        raise HttpError(400, "decision must be confirm or dismiss: nothing was recorded", kept)
    note, reviewer = fields.get("note", "").strip(), fields.get("reviewer", "").strip()
    if len(note) > MAX_NOTE or len(reviewer) > MAX_REVIEWER:
        raise HttpError(400, f"the note is limited to {MAX_NOTE} characters and the name to {MAX_REVIEWER}", kept)
    filters = Filters.parse(_params_of(fields.get("filters", "")))
    flag_id = request.path_params["flag_id"]

    def write() -> str | None:
        with web.database() as db:
            if store.flag_by_id(db, flag_id) is None:
                raise NotFoundError(f"no flag with id {flag_id!r}")
            _, following = neighbours(select_flags(db, filters), flag_id)
            review.decide(db, flag_id, decision, note or None, reviewer or None)  # and the flags repeating it
            return following

    try:
        following = await run_in_threadpool(write)
    except sqlite3.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
        raise HttpError(503, "the database is busy: another claimcheck (a running report?) is writing to it. "
                        "Nothing was recorded; your note is below. Try again in a moment.", kept) from None
    if request.query_params.get("format") == "json":
        response: Response = JSONResponse({"id": flag_id, "status": decision, "note": note or None,
                                           "reviewer": reviewer or None, "next": following})
    else:
        query = filters.query()
        target = f"/flags/{following}" if following else "/"
        response = RedirectResponse(target + (f"?{query}" if query else ""), status_code=303)
    if reviewer:
        # Quoted: a header carries only latin-1, and a name may be "Łukasz" or hold a ";".
        response.set_cookie(REVIEWER_COOKIE, quote(reviewer), max_age=365 * 86400, httponly=True, samesite="strict")
    return response


def _check_origin(request: Request, fields: dict[str, str], kept: dict[str, str]) -> None:
    """Refuse a write without this server's token, or sent from another site's page."""
    token = fields.get("csrf_token", "")
    if not hmac.compare_digest(token.encode(), request.app.state.review.csrf_token.encode()):
        raise HttpError(403, "this form has no valid CSRF token (the page may be from an earlier run of the "
                        "server): reload the page and decide again. Nothing was recorded.", kept)
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HttpError(403, "a form from another site cannot change reviews. Nothing was recorded.", kept)


def _params_of(query: str) -> dict[str, str]:
    return dict(parse_qsl(query[:2000]))


@_guarded
async def articles_page(web: ReviewApp, request: Request) -> Response:
    def read() -> dict:
        with web.database() as db:
            rows = store.articles(db)
            per_article: dict[str, int] = {}
            for flag in select_flags(db, Filters(status="all", every_update=True)):
                for name in {flag["article_a"], flag["article_b"]}:
                    per_article[name] = per_article.get(name, 0) + 1
        keys = ("id", "name", "names", "title", "outlet", "url", "published", "n_claims")
        return {"articles": [{**{key: row[key] for key in keys}, "n_flags": per_article.get(row["name"], 0)}
                             for row in rows]}

    return web.render(request, "articles.html", await run_in_threadpool(read))


@_guarded
async def query_page(web: ReviewApp, request: Request) -> Response:
    """The same ranking as `claimcheck query`."""
    from . import search

    text = (request.query_params.get("q") or "").strip()[:2000]
    article = (request.query_params.get("article") or "").strip() or None
    try:
        k = int(request.query_params.get("k") or 10)
    except ValueError:
        raise InputError("k must be a whole number from 1 to 100") from None
    if not 1 <= k <= 100:
        raise InputError("k must be a whole number from 1 to 100")

    def read() -> list[dict]:
        if not text:
            return []
        if web.embedder is None:
            from . import embed

            web.embedder = embed.load_embedder(web.settings.model, web.settings.batch_size)
        with web.database() as db:
            return search.query(db, web.settings, [text], k=k, embedder=web.embedder, article=article)[0]

    hits = await run_in_threadpool(read)
    return web.render(request, "query.html", {"q": text, "k": k, "article": article, "hits": hits})


@_guarded
async def measures_page(web: ReviewApp, request: Request) -> Response:
    def read() -> list[timeline.Timeline]:
        with web.database() as db:
            return timeline.timelines(select_flags(db, Filters(status="all", every_update=True)), articles_by_name(db))

    found = await run_in_threadpool(read)
    data = {"measures": [dataclasses.asdict(line) for line in found]}
    return web.render(request, "measures.html", data, charts=[(line, chart.chart(line)) for line in found])


@_guarded
async def claimreview_export(web: ReviewApp, request: Request) -> Response:
    """Confirmed flags as schema.org ClaimReview JSON-LD (a download)."""
    def read() -> list[dict]:
        with web.database() as db:
            return claimreview.claim_reviews(review.confirmed_findings(db), articles_by_name(db))

    response = JSONResponse(await run_in_threadpool(read), media_type="application/ld+json")
    response.headers["content-disposition"] = 'attachment; filename="claimreview.json"'
    return response


async def static_file(request: Request) -> Response:
    web: ReviewApp = request.app.state.review
    name = request.path_params["name"]
    if name not in web.static:
        return web.error(request, 404, "no such file")
    return Response(web.static[name], media_type=STATIC_TYPES[name], headers={"cache-control": "no-cache"})


async def not_found(request: Request, exc: Exception) -> Response:
    return request.app.state.review.error(request, 404, f"no page at {request.url.path}")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return request.app.state.review.error(request, 405, "this address does not accept that method")


async def server_error(request: Request, exc: Exception) -> Response:
    return request.app.state.review.error(request, 500, "something went wrong on the server (details are in "
                                          "its console); nothing was changed by this request")


def create_app(settings: Settings, read_only: bool = False, embedder: Any = None, host: str = "127.0.0.1",
               busy_ms: int = 5000) -> Starlette:
    """The review app over `settings.db_path`; only requests addressed to `host` (or localhost) are served."""
    routes = [
        Route("/", flags_page), Route("/flags/{flag_id}", flag_page),
        Route("/flags/{flag_id}/review", review_flag, methods=["POST"]),
        Route("/articles", articles_page), Route("/query", query_page), Route("/measures", measures_page),
        Route("/export/claimreview.json", claimreview_export), Route("/static/{name}", static_file),
    ]
    hosts = ["*"] if host in {"0.0.0.0", "::"} else sorted({host, "127.0.0.1", "localhost", "[::1]"})
    app = Starlette(routes=routes, middleware=[Middleware(_SecurityHeaders), Middleware(TrustedHostMiddleware,
                    allowed_hosts=hosts)], exception_handlers={404: not_found, 405: method_not_allowed,
                    500: server_error})
    app.state.review = ReviewApp(settings, read_only, embedder, busy_ms)
    return app


def serve(settings: Settings, host: str, port: int, read_only: bool) -> None:
    """Run the app until Ctrl-C."""
    import uvicorn

    uvicorn.run(create_app(settings, read_only, host=host), host=host, port=port, log_level="warning")
