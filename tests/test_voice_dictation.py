"""Dictated phone numbers read again digit by digit, at the length they must have."""

from __future__ import annotations

import numpy as np
import pytest
from voice_fixtures import SHARED, dev_clip, recognizer_fixture  # noqa: F401 - fixtures

from voice.asr.base import Segment
from voice.asr.dictation import read_digits, score_digits
from voice.asr.whisper import WhisperRecognizer
from voice.audio_file import load_audio

VOCAB = 200
END = 0  # any token that is not a digit
# Digit d is token 10 + d; zero takes two tokens, as 零 does in Whisper's vocabulary.
DIGIT_TOKENS = [(100, 101), *[(10 + d,) for d in range(1, 10)]]


def _digits_written(tokens) -> str:
    digits = []
    for token in tokens:
        if token == 100:
            digits.append("0")
        elif 11 <= token <= 19:
            digits.append(str(token - 10))
    return "".join(digits)


def _model(likes: dict[int, dict[str, float]], stops_after: int):
    """A decoder that gives each digit a log-probability by position and then wants to stop."""
    calls: list[list[tuple[int, ...]]] = []

    def next_token(sequences):
        calls.append([tuple(sequence) for sequence in sequences])
        dists = []
        for sequence in sequences:
            assert sequence[-1:] != (100,), "zero was cut in half"
            position = len(_digits_written(sequence))
            dist = np.full(VOCAB, -12.0)
            if position >= stops_after:
                dist[END] = -0.01
            for digit, logprob in likes.get(position, {}).items():
                dist[DIGIT_TOKENS[int(digit)][0]] = logprob
            dists.append(dist)
        return dists

    return next_token, calls


def test_reads_exactly_the_length_asked_for_even_where_the_model_would_stop() -> None:
    # Whisper heard ten digits (it swallowed a 1 in 15010203040) and wants to stop there; asked
    # for eleven, the search writes eleven, whole tokens each (零 is never cut in half).
    heard = "1500203040"
    next_token, calls = _model({k: {d: -0.1} for k, d in enumerate(heard)}, stops_after=10)
    reading = read_digits(next_token, DIGIT_TOKENS, 11, head="1")
    assert reading is not None and len(reading.digits) == 11 and reading.digits.startswith(heard)
    # One call per digit after the head, and one to ask whether the number ends.
    assert [{len(_digits_written(sequence)) for sequence in step} for step in calls] == [{n} for n in range(1, 12)]


def test_the_reading_must_end_where_the_number_ends() -> None:
    # Two readings score the same digit by digit; the one after which the model expects no more
    # digits wins.
    likes = {k: {"1": -0.2} for k in range(11)}
    likes[10] = {"2": -0.2, "3": -0.2}
    next_token, _ = _model(likes, stops_after=11)
    base = read_digits(next_token, DIGIT_TOKENS, 11, head="1")
    assert base is not None and base.digits[:10] == "1" * 10 and base.margin < 0.01

    def still_talking_after_3(sequences):
        dists = next_token(sequences)
        for sequence, dist in zip(sequences, dists, strict=True):
            if _digits_written(sequence).endswith("3") and len(_digits_written(sequence)) == 11:
                dist[:] = -12.0
                dist[DIGIT_TOKENS[4][0]] = -0.01
        return dists

    reading = read_digits(still_talking_after_3, DIGIT_TOKENS, 11, head="1")
    assert reading is not None and reading.digits == "1" * 10 + "2" and reading.margin > 3


def test_the_beam_keeps_a_reading_that_starts_worse_but_ends_better() -> None:
    likes = {0: {"1": 0.0}, 1: {"3": -0.4, "8": -0.5}, 2: {"9": -1.0}}
    next_token, _ = _model(likes, stops_after=3)

    def eight_then_eight(sequences):
        dists = next_token(sequences)
        for sequence, dist in zip(sequences, dists, strict=True):
            if _digits_written(sequence) == "18":
                dist[DIGIT_TOKENS[8][0]] = -0.01
        return dists

    reading = read_digits(eight_then_eight, DIGIT_TOKENS, 3, head="1")
    assert reading is not None and reading.digits == "188"
    # The readings it ended with come along, best first, for the syllables to weigh.
    assert reading.alternatives[0] == ("188", reading.score) and "139" in dict(reading.alternatives)
    scores = [score for _, score in reading.alternatives]
    assert scores == sorted(scores, reverse=True) and reading.margin == scores[0] - scores[1]
    greedy = read_digits(eight_then_eight, DIGIT_TOKENS, 3, head="1", beam=1)
    assert greedy is not None and greedy.digits == "139"


def test_readings_far_behind_are_dropped_and_cost_no_more_calls() -> None:
    # One digit is clear at every place; the other nine are 11 behind. Without pruning every call
    # carries the beam's six readings; with it only the readings within reach go on.
    heard = "13911223344"
    likes = {k: {d: -0.1} for k, d in enumerate(heard)}
    next_token, calls = _model(likes, stops_after=11)
    full = read_digits(next_token, DIGIT_TOKENS, 11, head="1")
    rows_full = sum(len(step) for step in calls)
    calls.clear()
    pruned = read_digits(next_token, DIGIT_TOKENS, 11, head="1", prune=5.0)
    assert full is not None and pruned is not None and pruned.digits == full.digits == heard
    assert sum(len(step) for step in calls) < rows_full / 3
    # A close second reading survives pruning, so the margin still says how close it was.
    likes[10] = {"4": -0.2, "5": -0.3}
    next_token, _ = _model(likes, stops_after=11)
    close = read_digits(next_token, DIGIT_TOKENS, 11, head="1", prune=5.0)
    assert close is not None and close.digits == heard and close.margin == pytest.approx(0.1, abs=1e-6)


def test_a_given_reading_scores_as_the_search_scores_it() -> None:
    # The search's best reading, scored on its own, gets the search's score; a reading one digit
    # off scores that digit's difference lower.
    heard = "13911223344"
    likes = {k: {d: -0.1} for k, d in enumerate(heard)}
    likes[7] = {"3": -0.1, "5": -2.1}
    next_token, _ = _model(likes, stops_after=11)
    reading = read_digits(next_token, DIGIT_TOKENS, 11, head="1")
    assert reading is not None and reading.digits == heard
    assert score_digits(next_token, DIGIT_TOKENS, heard, head="1") == pytest.approx(reading.score)
    assert score_digits(next_token, DIGIT_TOKENS, "13911225344", head="1") == pytest.approx(reading.score - 2.0)


def test_nothing_to_read_when_the_head_is_the_whole_number() -> None:
    next_token, calls = _model({}, stops_after=1)
    assert read_digits(next_token, DIGIT_TOKENS, 3, head="139") is None and calls == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("clip", "heard", "number"),
    [
        # What Whisper base wrote for these clips on some cuts of the server's turn.
        ("d020_2.wav", "现身房在通州去乙桥街道。乙桥中路那边的商场二楼。我叫周婷。电话1500203040。", "15010203040"),
        (
            "d035_2.wav",
            "在防山七流离合阵，具体是哪个村我说不太准。就在京港澳高速旁边，场资门口挂着一个建材厂的牌子。"
            "电话188-1012-3665，我姓风，风先生。",
            "18801236655",
        ),
        # Numbers Whisper got right stay right.
        (
            "d016_2.wav",
            "西城区展览路街道，百万庄大街，靠近车公庄西那个公交站。我姓赵，赵先生，电话15801234567。",
            "15801234567",
        ),
        ("d018_3.wav", "我叫陈立新，手机18612340099。", "18612340099"),
    ],
)
def test_dictated_numbers_are_read_again_from_the_audio(
    recognizer: WhisperRecognizer, clip: str, heard: str, number: str
) -> None:
    text = recognizer.read_numbers_again(heard, dev_clip(clip))
    digits = "".join(ch for ch in text if ch.isdigit())
    assert number in digits and len(digits) == len(number), text
    # Only the number changed.
    assert text.startswith(heard[: heard.index("1")]) and text.endswith(heard[-3:])



@pytest.mark.slow
def test_a_number_after_other_numbers_is_read_with_the_whole_turn_heard(recognizer: WhisperRecognizer) -> None:
    # The number's clause (我家是401的电话) leads the decoder; the words and audio before it still
    # count: with the audio cut to the clause this came out 15101777889.
    heard = "大星期星眼接到星眼路边上，走远小区6号楼楼上是501，我家是401的电话151 1117889。"
    text = recognizer.read_numbers_again(heard, dev_clip("d031_2.wav"))
    number_at = heard.index("151 ")
    assert text[:number_at] == heard[:number_at]
    assert "".join(ch for ch in text[number_at:] if ch.isdigit()) == "15101177889", text


def _dev2_segment(name: str, start_s: float, end_s: float) -> np.ndarray:
    audio = load_audio(SHARED / "corpus" / "dev2" / name)
    return audio[int(start_s * 16000) : int(end_s * 16000)]


@pytest.mark.slow
def test_a_count_that_repeated_the_wrong_digit_gives_way_to_the_reading(recognizer: WhisperRecognizer) -> None:
    # Whisper wrote 156-308-294-7 for 一五六，幺三零八，二九四七: it heard 幺 as nothing, and the
    # syllable count, which can only repeat what Whisper wrote, made it 15630829947. The decoder
    # finds that reading far less likely than its own, which puts the 幺 back.
    heard = "还有拿脚去踢等，我看着都害怕。免贵信王，王先生电话15630829947。"
    audio = _dev2_segment("e039_2.wav", 10.32, 21.0)
    text = recognizer.read_numbers_again(heard, audio, counted={"15630829947": "1563082947"})
    assert "15613082947" in text, text


@pytest.mark.slow
def test_a_count_of_repeated_digits_stands(recognizer: WhisperRecognizer) -> None:
    # 一三五零一二三八八六六 written 1350123886 and counted back to 13501238866: the decoder, which
    # undercounts repeats, prefers another reading but not by far, so the count stands.
    heard = "我信证 正你是的电话是13501238866点"
    audio = dev_clip("d024_1.wav")[int(52.76 * 16000) :]
    text = recognizer.read_numbers_again(heard, audio, counted={"13501238866": "1350123886"})
    assert text == heard


def test_known_digits_stand_and_only_the_words_between_are_read() -> None:
    # 13次，1108,5276: the recogniser wrote one character per digit said, so the digits it wrote
    # stand and only 次 is read, though the decoder likes a 0 better where it wrote a 1.
    likes = {k: {d: -0.1} for k, d in enumerate("13?10085276")}
    likes[2] = {"4": -0.2, "9": -2.0}
    likes[4] = {"0": -0.1, "1": -1.5}
    next_token, _ = _model(likes, stops_after=11)
    assert read_digits(next_token, DIGIT_TOKENS, 11, head="1").digits == "13410085276"
    reading = read_digits(next_token, DIGIT_TOKENS, 11, head="1", known="13?11085276")
    assert reading is not None and reading.digits == "13411085276"
    # A `known` of another length is no reading at all.
    assert read_digits(next_token, DIGIT_TOKENS, 11, head="1", known="13?1108527") is None


@pytest.mark.slow
def test_a_number_announced_and_heard_as_words_is_read_from_its_announcement(recognizer: WhisperRecognizer) -> None:
    # 一八九，幺幺三零，七五二六 with its first group heard as words that sound like it (依巴酒): no
    # run of digits is left to read where it lies, so it is read from 电话 on; the digits written
    # stand, one character having been written for each digit said.
    audio = load_audio(SHARED / "corpus" / "dev2" / "e056_2.wav")[int(8.5 * 16000) :]
    heard = "我是他对门的，我姓荆，荆女士，电话依巴酒，一一三零七五二六。"
    (segment,) = recognizer.restore_numbers([Segment(0.0, audio.size / 16000, heard)], audio)
    assert segment.text == "我是他对门的，我姓荆，荆女士，电话18911307526。"


@pytest.mark.slow
def test_words_after_an_announcement_that_are_no_number_stay(recognizer: WhisperRecognizer) -> None:
    # 电话 begins a story here and the words after it hold digits (打了一遍又一遍): the decoder, made
    # to read a number there, finds none it likes, and the words stay as heard.
    audio = dev_clip("d024_1.wav")[: int(40 * 16000)]
    heard = (
        "喂，你好，我这个事儿有点复杂，我尽量说清楚。我家住在西城区德胜街道，德外大街东边一个老小区，五号楼三层。"
        "从上个月开始，我家卫生间顶上就一直往下渗水，一开始只是有点潮，后来墙皮都泡起来了，现在天天滴水，"
        "我只能拿个盆在底下接着。我上楼找过好几次，楼上那家是租出去的，租户说不关他们的事，让我找房东，"
        "房东在外地，电话打了一遍又一遍，一直也不接。"
    )
    (segment,) = recognizer.restore_numbers([Segment(0.0, audio.size / 16000, heard)], audio)
    assert segment.text == heard
