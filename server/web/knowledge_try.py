"""试一试: what the seat would answer to a question right now, and why. The question is put to a
new seat as a caller's first turn, over the knowledge the next call reads (the server's
KnowledgeCache, reloaded when an admin changes something) and the configured backend, just as
server/telephony/session.py sets a call up; the retrieval's ranking beside it shows which article
was chosen, its score against the floor, and the runner-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request

from agent.consult import Consultant
from agent.reading import normalise_turn
from agent.seat import Seat
from knowledge.kb import KbArticle
from server.services import Services
from server.web.knowledge_admin import AdminPage
from server.web.knowledge_kinds import KINDS
from server.web.pages import render

router = APIRouter()

MAX_QUESTION = 500
ACTION_NAMES = {"answer": "从知识库答复", "ask": "追问来电人", "confirm": "复述工单请来电人确认",
                "record": "记录表扬或建议", "handoff": "转人工座席", "goodbye": "结束通话"}


@dataclass
class Trial:
    question: str
    answer: str  # what the caller would hear
    action: str
    article: KbArticle | None  # the article the answer is from
    score: float | None
    runner_up: tuple[KbArticle, float] | None  # the retrieval's best other article
    floor: float  # the score an article needs for the seat to answer from it


def try_question(services: Services, question: str) -> Trial:
    knowledge = services.knowledge.current()
    seat = Seat(knowledge, understanding=services.understanding(knowledge))
    reply = seat.turn(question)
    answer = "".join(reply.sentences())
    consultant = Consultant(knowledge.kb, knowledge.sound_corrector)
    ranked = consultant.ranked(normalise_turn(question), k=3)  # the words the seat read
    article = knowledge.kb.get(reply.kb_article) if reply.kb_article else None
    score = next((s for a, s in ranked if article is not None and a.id == article.id), None)
    others = [(a, s) for a, s in ranked if article is None or a.id != article.id]
    return Trial(question, answer, reply.action, article, score, others[0] if others else None, consultant.min_score)


@router.get("/admin/knowledge/try")
def try_page(request: Request, caller: AdminPage, question: str = "") -> Any:
    question = question.strip()
    error = f"问题太长了，最多 {MAX_QUESTION} 个字" if len(question) > MAX_QUESTION else None
    trial = try_question(request.app.state.services, question) if question and error is None else None
    return render(request, "knowledge_try.html", caller, status=422 if error else 200, kinds=KINDS,
                  question=question, error=error, trial=trial, actions=ACTION_NAMES)
