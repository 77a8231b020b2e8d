"""The FastAPI application: telephony WebSocket plus the REST API, over one database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from server import data_keys
from server.api import (
    audit,
    console_lines,
    dashboard,
    events,
    handling,
    metrics,
    phones,
    recordings,
    routes,
    tickets,
    twilio_status,
)
from server.api.validation import invalid_request
from server.config import Settings
from server.dialer.configured import build_scheduler
from server.dialer.softphone import RegisteredPhones
from server.key_guard import FailedKeyChecks
from server.request_size import RequestSizeLimit
from server.secure_headers import SecureHeaders
from server.services import (
    KnowledgeCache,
    Services,
    build_recognizer,
    build_synthesizer,
    render_fixed_prompts,
)
from server.storage import db, repository
from server.telephony import media_stream
from server.web import (
    audit_page,
    console,
    desk,
    home,
    knowledge_admin,
    knowledge_files,
    knowledge_history,
    knowledge_try,
    login,
    static_files,
)
from server.web import dashboard as dashboard_page
from server.web.pages import PageDenied, denied_page
from server.workflow.callbacks import CallbackRules
from server.workflow.metrics import MetricWeights
from server.workflow.recovery import CallRecovery, RecoveryRules
from server.workflow.retention import RetentionJob
from server.workflow.surge_alerts import SurgeAlerts
from voice.asr.base import StreamingRecognizer
from voice.tts.base import SpeechSynthesizer

log = logging.getLogger("hotline.app")


def prepare_database(settings: Settings, database_url: str) -> None:
    """Bring the schema up to date and, on an empty database, load the seed data from configs/."""
    data_keys.ensure_loaded(settings)  # migrations seal what an older schema held in clear
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    try:
        if repository.knowledge_is_empty(engine):
            counts = repository.seed_knowledge(
                engine,
                kb=settings.seed_path("kb"),
                catalogue=settings.seed_path("catalogue"),
                gazetteer=settings.seed_path("gazetteer"),
            )
            log.info("empty database seeded from %s: %s", settings.seed_path("kb").parent, counts)
    finally:
        engine.dispose()


def gateway_access_note(settings: Settings) -> str:
    """Who may open /media-stream, said at start-up so nobody runs an open line by mistake."""
    gateway = settings.raw.get("gateway", {})
    ways = ["a gateway key"]
    if gateway.get("twilio_auth_token"):
        ways.append("Twilio's signature")
    if gateway.get("open_on_loopback"):
        ways.append("any client on this machine without a key ([gateway] open_on_loopback)")
    return "/media-stream admits " + ", ".join(ways)


def create_app(
    settings: Settings,
    database_url: str,
    recognizer: StreamingRecognizer | None = None,
    synthesizer: SpeechSynthesizer | None = None,
    dial_callbacks: bool = False,
) -> FastAPI:
    """Models given here are shared (tests run several servers); otherwise they load at start-up.
    With `dial_callbacks` this node claims due callbacks and rings them ([dialer])."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        data_keys.ensure_loaded(settings)
        engine = db.make_engine(database_url)
        app.state.engine = engine
        app.state.services = Services(
            settings=settings,
            engine=engine,
            recognizer=recognizer or build_recognizer(settings),
            synthesizer=synthesizer or build_synthesizer(settings),
            knowledge=KnowledgeCache(engine),
        )
        app.state.dispatch_rules = app.state.services.dispatch_rules
        app.state.callback_rules = CallbackRules.from_settings(settings)
        app.state.metric_weights = MetricWeights.from_settings(settings)
        app.state.phones = RegisteredPhones()
        scheduler = (
            build_scheduler(settings, engine, app.state.phones, app.state.callback_rules) if dial_callbacks else None
        )
        app.state.scheduler = scheduler
        events = app.state.services.events
        surge_alerts = SurgeAlerts.from_settings(settings, engine, lambda fields: events.announce("surge", **fields))
        services = app.state.services
        recovery = CallRecovery(engine, services.node, RecoveryRules.from_settings(settings), services.held_calls)
        retention = RetentionJob.from_settings(engine, app.state.services.recordings)
        rendered = await asyncio.to_thread(render_fixed_prompts, app.state.services.synthesizer)
        log.info("hotline ready (%d fixed prompts rendered)", rendered)
        log.info("%s", gateway_access_note(settings))
        # Before the first call: at start-up the sweep takes back every call held under this
        # node's name, none of which can be live yet.
        await recovery.start()
        if scheduler is not None:
            scheduler.start()
            log.info("dialling due callbacks as node %s", scheduler.node)
        if surge_alerts is not None:
            surge_alerts.start()
        if retention is not None:
            retention.start()
        yield
        await recovery.stop()
        if retention is not None:
            await retention.stop()
        if surge_alerts is not None:
            await surge_alerts.stop()
        if scheduler is not None:
            await scheduler.stop()
        app.state.services.close()
        engine.dispose()

    app = FastAPI(title="Hotline", lifespan=lifespan)  # OpenAPI docs at /docs
    app.add_middleware(RequestSizeLimit, max_bytes=settings.get("server", "max_request_bytes"))
    app.add_middleware(SecureHeaders)  # added last, so outermost: on every answer, a 413 too
    app.state.failed_keys = FailedKeyChecks(
        settings.get("server", "failed_key_limit"), settings.get("server", "failed_key_window_s")
    )
    app.include_router(media_stream.router)
    app.include_router(routes.router)
    app.include_router(recordings.router)
    app.include_router(audit.router)
    app.include_router(tickets.router)
    app.include_router(handling.router)
    app.include_router(metrics.router)
    app.include_router(dashboard.router)
    app.include_router(events.router)
    app.include_router(phones.router)
    app.include_router(twilio_status.router)
    app.include_router(static_files.router)
    app.include_router(login.router)
    app.include_router(home.router)
    app.include_router(console.router)
    app.include_router(console_lines.router)
    app.include_router(desk.router)
    app.include_router(dashboard_page.router)
    app.include_router(audit_page.router)
    # The knowledge pages' fixed paths (/admin/knowledge/history, …/try) before …/{kind}.
    app.include_router(knowledge_history.router)
    app.include_router(knowledge_try.router)
    app.include_router(knowledge_files.router)
    app.include_router(knowledge_admin.router)
    app.add_exception_handler(PageDenied, denied_page)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)
    return app
