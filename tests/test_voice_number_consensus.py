"""A dictated number read from several cuts of its turn until two agree."""

from __future__ import annotations

import numpy as np
import pytest
from voice_fixtures import SHARED, recognizer_fixture  # noqa: F401 - fixtures

from voice.asr.base import SAMPLE_RATE, Segment, Transcript
from voice.asr.number_consensus import (
    CUT_STEP_S,
    MAX_CUTS,
    ConsensusReading,
    NumberConsensus,
    numbers_read,
    read_by_consensus,
    replaces,
    with_read_numbers,
)
from voice.asr.whisper import WhisperRecognizer
from voice.audio_file import load_audio

SILENCE_S = 0.5


class Readings:
    """A recogniser that reads each cut as the next text in a list, and keeps the cuts it got."""

    def __init__(self, *texts: str) -> None:
        self.texts, self.cuts = list(texts), []

    def __call__(self, audio: np.ndarray) -> Transcript:
        self.cuts.append(audio)
        text = self.texts[len(self.cuts) - 1]
        return Transcript(text, "zh", audio.size / SAMPLE_RATE, [Segment(0.1, 1.0, text)])


def _turn() -> np.ndarray:
    silence = np.zeros(int(SILENCE_S * SAMPLE_RATE), np.float32)
    return np.concatenate([silence, np.full(SAMPLE_RATE, 0.1, np.float32)])


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("电话13911223344", ("13911223344",)),
        ("电话139，1122，3344，我姓王", ("13911223344",)),
        ("电话1391122334", ()),  # one short: no whole number
        ("电话139112233445", ()),  # one too many
        ("我家住3号楼602", ()),
        ("139不对，13801642759", ("13801642759",)),
    ],
)
def test_the_numbers_a_reading_holds(text: str, numbers: tuple[str, ...]) -> None:
    assert numbers_read(text) == numbers


def test_two_agreeing_cuts_settle_it_and_the_first_of_them_is_taken() -> None:
    read = Readings("电话13901023333", "电话13901023321，谢谢", "电话13901023321。", "never read")
    reading = read_by_consensus(_turn(), read)
    assert reading.agreed and reading.cuts == 3
    assert reading.transcript.text == "电话13901023321，谢谢"
    # Each cut starts 10 ms later into the caller's audio than the one before; the first is the
    # turn as it came, and segment times still count from the start of the turn.
    speech = int(SILENCE_S * SAMPLE_RATE)
    assert [cut.size for cut in read.cuts] == [
        _turn().size,
        _turn().size - speech - int(CUT_STEP_S * SAMPLE_RATE),
        _turn().size - speech - int(2 * CUT_STEP_S * SAMPLE_RATE),
    ]
    assert reading.transcript.segments[0].start == pytest.approx(0.1 + SILENCE_S + CUT_STEP_S)


def test_a_reading_with_no_whole_number_never_agrees() -> None:
    reading = read_by_consensus(_turn(), Readings("电话1380164", "电话1380164", "电话13801642759", "电话13801642759"))
    assert reading.agreed and reading.cuts == 4 and "13801642759" in reading.transcript.text


def test_with_no_agreement_the_reading_closest_to_the_others_is_taken() -> None:
    # Each wrong reading is one digit off the right one and two off the other wrong one.
    texts = ("电话15300092814", "电话不清楚", "电话15310992814", "电话15310092814", "电话不知道")
    reading = read_by_consensus(_turn(), Readings(*texts))
    assert not reading.agreed and reading.cuts == 5 and reading.transcript.text == "电话15310092814"


def test_with_no_whole_number_at_all_the_first_cut_stands() -> None:
    reading = read_by_consensus(_turn(), Readings("电话一三八", "电话138", "电话幺三八"), max_cuts=3)
    assert not reading.agreed and reading.transcript.text == "电话一三八"


def test_digits_that_are_no_phone_number_end_the_search_early() -> None:
    # A date or an amount brought the turn here; two cuts that hear no phone number at all settle it.
    reading = read_by_consensus(_turn(), Readings("2024年12月花了38000", "2024年12月花了3万8", "never read"))
    assert not reading.agreed and reading.cuts == 2 and reading.transcript.text == "2024年12月花了38000"


def test_cuts_are_asked_for_one_at_a_time() -> None:
    # The server runs each cut as its own job; the consensus only says what to read next.
    consensus = NumberConsensus(_turn(), max_cuts=2)
    assert consensus.cuts_left == 2
    assert consensus.add(Readings("电话13911223344")(consensus.next_cut())) is None
    assert consensus.cuts_left == 1 and consensus.next_cut().size < _turn().size
    reading = consensus.add(Readings("电话13911223344")(consensus.next_cut()))
    assert reading is not None and reading.agreed and consensus.cuts_left == 0


@pytest.mark.slow
def test_a_dictated_number_through_the_real_recogniser(recognizer: WhisperRecognizer) -> None:
    audio = load_audio(SHARED / "corpus" / "dev" / "d013_3.wav", sample_rate=SAMPLE_RATE)
    reading = read_by_consensus(audio, recognizer.transcribe)
    # How many cuts it takes is the model's affair; that two of them agree on the number is ours.
    assert reading.agreed and 2 <= reading.cuts <= MAX_CUTS
    assert numbers_read(reading.transcript.text) == ("13911223344",)


@pytest.mark.parametrize(
    ("streamed", "read", "replaces_it"),
    [
        ("我姓荆，电话18911307522", "我姓荆，电话18911307526", True),
        ("我姓荆，电话1891130752", "我姓荆，电话18911307526", True),
        # The cut's decode looped: the streamed text keeps the name.
        ("我姓荆，荆女士，电话18911307522", "电话18911307526，我姓姆" + "，姆姆" * 20, False),
        # The cut lost the start of the turn (the district).
        ("在房山区琉璃河镇，具体哪个村说不准，电话18801236655", "具体哪个村说不准，电话18801236655", False),
        ("电话139，不对，1380164", "电话139，不对，1380164", False),  # no whole number read
    ],
)
def test_a_reading_replaces_the_streamed_text_only_when_no_worse(streamed: str, read: str, replaces_it: bool) -> None:
    reading = ConsensusReading(Transcript(read, "zh", 1.0), cuts=2, agreed=True)
    assert replaces(streamed, reading) is replaces_it


def _streamed(*texts: str) -> Transcript:
    segments = [Segment(float(i), i + 1.0, text) for i, text in enumerate(texts)]
    return Transcript("".join(texts), "zh", float(len(texts)), segments)


def test_numbers_the_cuts_agreed_on_go_into_the_streamed_words() -> None:
    # The cuts agreed on the number but lost the district: the stream keeps its words, not its number.
    streamed = _streamed("在延庆区永宁镇，阜康路口那边。", "电话176-2033-9851，我姓戚。")
    reading = ConsensusReading(Transcript("路口那边。电话17602339851，我姓戚。", "zh", 2.0), cuts=3, agreed=True)
    assert not replaces(streamed.text, reading)
    spliced = with_read_numbers(streamed, reading)
    assert spliced is not None
    assert spliced.text == "在延庆区永宁镇，阜康路口那边。电话17602339851，我姓戚。"
    assert [s.text for s in spliced.segments] == ["在延庆区永宁镇，阜康路口那边。", "电话17602339851，我姓戚。"]
    assert [s.start for s in spliced.segments] == [0.0, 1.0]


def test_agreed_numbers_keep_the_script_and_order_the_stream_wrote_them_in() -> None:
    streamed = _streamed("手机幺三五幺二，不对，", "是幺三六零幺二二八八四七，座机01062553311")
    read = "手机13601228847，座机01062553317"
    spliced = with_read_numbers(streamed, ConsensusReading(Transcript(read, "zh", 2.0), cuts=2, agreed=True))
    assert spliced is not None
    assert spliced.text == "手机幺三五幺二，不对，是幺三六零幺二二八八四七，座机01062553317"


@pytest.mark.parametrize(
    ("streamed", "read", "agreed"),
    [
        ("电话姚伞酒，幺幺尔尔，三三四四", "电话13911223344", True),  # the stream wrote it as words
        ("电话13911223345，或者13911223346", "电话13911223344", True),  # which one is it?
    ],
)
def test_nothing_is_put_in_where_it_cannot_be_told_where_it_goes(streamed: str, read: str, agreed: bool) -> None:
    reading = ConsensusReading(Transcript(read, "zh", 1.0), cuts=2, agreed=agreed)
    assert with_read_numbers(_streamed(streamed), reading) is None


def test_the_closest_of_readings_that_never_agreed_gives_its_number_not_its_words() -> None:
    # One cut's words are no likelier than the stream's: the name stays as streamed.
    streamed = _streamed("门头沟区大峪街道，我叫苗刚，", "电话15310092814。")
    reading = ConsensusReading(Transcript("门头沟区大峪街道，我叫苗钢琴电话15310092814。", "zh", 2.0), cuts=5,
                               agreed=False)
    spliced = with_read_numbers(streamed, reading)
    assert spliced is not None and spliced.text == "门头沟区大峪街道，我叫苗刚，电话15310092814。"
