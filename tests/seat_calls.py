"""A call played to a fresh offline seat, turn by turn, for the tests that judge what it files."""

from __future__ import annotations

from agent.knowledge import SeatKnowledge
from agent.seat import Seat


def play(knowledge: SeatKnowledge, *turns: str) -> Seat:
    seat = Seat(knowledge)
    for text in turns:
        seat.turn(text)
    return seat
