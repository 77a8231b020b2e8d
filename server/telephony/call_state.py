"""What one call holds while it runs: its parts (seat, detector, voice, transcription) and the turns
waiting for the turn worker."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.seat import Seat, SeatSnapshot
from server.telephony.call_record import CallRecord
from server.telephony.live_turn import LiveTranscription, LiveTurn
from server.telephony.protocol import SAMPLE_RATE as PHONE_RATE
from server.telephony.protocol import Start
from server.telephony.speaker import Speaker
from voice.asr.base import SAMPLE_RATE as ASR_RATE
from voice.stream_resample import StreamResampler
from voice.vad import EndOfTurnDetector, TurnEnded


@dataclass(frozen=True)
class SpokenTurn:
    ended: TurnEnded
    live: LiveTurn
    number: int  # which caller turn (a resumed turn keeps its number)
    version: int  # how often this turn had been taken up again when it ended; one more makes it stale


@dataclass(frozen=True)
class KeypadTurn:
    digits: str


@dataclass
class AnsweredTurn:
    """The last turn the seat answered, kept so that it can be taken back."""

    number: int
    index: int
    before: SeatSnapshot
    text: str
    cut_short: bool = False  # the seat was told the caller spoke over its reply (after `before`)


@dataclass
class CallState:
    start: Start
    call_id: int
    seat: Seat
    detector: EndOfTurnDetector
    speaker: Speaker
    live: LiveTranscription
    record: CallRecord  # what the call stores, in order (server/telephony/call_record.py)
    resampler: StreamResampler = field(default_factory=lambda: StreamResampler(PHONE_RATE, ASR_RATE))
    dtmf: list[str] = field(default_factory=list)  # every key, for the call record
    frames_in: int = 0  # media frames received (a load test compares it with frames sent)
    turn_count: int = 0  # turns stored
    turn_number: int = 0  # turns the detector started
    resumed: dict[int, int] = field(default_factory=dict)  # turn number → times taken up again
    barged: bool = False  # the current turn has already cut a reply short
    last_live: LiveTurn | None = None
    answered: AnsweredTurn | None = None
