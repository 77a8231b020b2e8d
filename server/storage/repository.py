"""The storage functions the rest of the server uses, in one place.

Every function takes an Engine and runs its own short transaction; returned objects are detached
and safe to read after the call.
"""

from server.storage.calls import (
    CallDetail,
    add_turn,
    create_call,
    finish_call,
    get_call,
    get_call_detail,
    handoffs_without_order,
    list_calls,
    save_draft,
    set_turn_reply_audio_at,
    set_turn_reply_heard,
    set_turn_reply_text,
    set_turn_text,
    store_unserved_call,
    ticket_id_of_call,
)
from server.storage.db import NotFound
from server.storage.knowledge_rows import (
    KNOWLEDGE_KINDS,
    knowledge_is_empty,
    knowledge_version,
    load_catalogue,
    load_gazetteer,
    load_kb,
    load_knowledge,
    replace_catalogue,
    replace_gazetteer,
    replace_kb,
)
from server.storage.knowledge_store import SeedReport
from server.storage.knowledge_store import seed as seed_knowledge
from server.storage.tickets import TicketDetail, add_ticket_event, get_ticket, list_tickets, save_ticket

__all__ = [
    "KNOWLEDGE_KINDS",
    "CallDetail",
    "NotFound",
    "SeedReport",
    "TicketDetail",
    "add_ticket_event",
    "add_turn",
    "create_call",
    "finish_call",
    "get_call",
    "get_call_detail",
    "get_ticket",
    "handoffs_without_order",
    "knowledge_is_empty",
    "knowledge_version",
    "list_calls",
    "list_tickets",
    "load_catalogue",
    "load_gazetteer",
    "load_kb",
    "load_knowledge",
    "replace_catalogue",
    "replace_gazetteer",
    "replace_kb",
    "save_draft",
    "save_ticket",
    "seed_knowledge",
    "set_turn_reply_audio_at",
    "set_turn_reply_text",
    "set_turn_reply_heard",
    "set_turn_text",
    "store_unserved_call",
    "ticket_id_of_call",
]
