"""Respelling: candidates the audio bears out are written in, the rest left as heard.

The selection rules run against a scorer that prefers given texts (what to keep when candidates
overlap, which clause of a long turn each is judged on); the judging itself runs on dev clips
through the real Whisper base, with misspellings written as the model writes them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from voice_fixtures import DEV_CORPUS, dev_clip, recognizer_fixture  # noqa: F401 - provides `recognizer`

from agent.knowledge import SeatKnowledge
from agent.name_respelling import surname_respellings
from voice.asr.base import SAMPLE_RATE, Segment
from voice.asr.respelling import respell
from voice.asr.whisper import WhisperRecognizer
from voice.audio_file import load_audio


class PreferringScorer:
    """Scores a text by the preferred words it holds; remembers what it was asked."""

    def __init__(self, preferred: dict[str, float]) -> None:
        self.preferred = preferred
        self.asked: list[tuple[float, list[str], str]] = []

    def __call__(self, audio: np.ndarray, texts: Sequence[str], context: str = "", total: bool = False) -> list[float]:
        assert total, "respelling compares whole texts, not their mean token"
        self.asked.append((audio.size / SAMPLE_RATE, list(texts), context))
        return [sum(weight for word, weight in self.preferred.items() if word in text) for text in texts]


def test_a_candidate_the_audio_prefers_is_written_in() -> None:
    text = "我在海电区住"
    scorer = PreferringScorer({"海淀区": 1.0})
    respelt, chosen = respell(np.zeros(3 * SAMPLE_RATE, np.float32), text, [], [("海淀区", 2, 5)], scorer)
    assert respelt == "我在海淀区住" and chosen == [("海淀区", 2, 5)]
    _, texts, context = scorer.asked[0]
    assert texts == ["我在海电区住", "我在海淀区住"]
    assert context.startswith("海淀区"), "the candidate terms go first in the decoder's context, as hotwords do"


def test_a_candidate_the_audio_does_not_prefer_is_left_as_heard() -> None:
    scorer = PreferringScorer({"海电区": 1.0})
    respelt, chosen = respell(np.zeros(SAMPLE_RATE, np.float32), "我在海电区", [], [("海淀区", 2, 5)], scorer)
    assert (respelt, chosen) == ("我在海电区", [])


def test_of_overlapping_candidates_the_better_fit_wins() -> None:
    text = "轻合介到那边"
    scorer = PreferringScorer({"清河街道": 3.0, "清河": 1.0, "清源街道": -1.0})
    candidates = [("清源街道", 0, 4), ("清河街道", 0, 4), ("清河", 0, 2)]
    respelt, chosen = respell(np.zeros(2 * SAMPLE_RATE, np.float32), text, [], candidates, scorer)
    assert respelt == "清河街道那边" and chosen == [("清河街道", 0, 4)]


def test_each_candidate_is_judged_on_its_own_clause() -> None:
    # Two clauses of a 10 s segment: each candidate is scored on its clause's stretch of audio
    # with the text before it as context, not on the whole turn.
    text = "我住在海电区，门口有个小汤占道"
    segments = [Segment(0.0, 10.0, text)]
    scorer = PreferringScorer({"海淀区": 1.0, "小摊": 1.0})
    respelt, chosen = respell(
        np.zeros(10 * SAMPLE_RATE, np.float32), text, segments, [("海淀区", 3, 6), ("小摊", 11, 13)], scorer
    )
    assert respelt == "我住在海淀区，门口有个小摊占道"
    assert [texts[0] for _, texts, _ in scorer.asked] == ["我住在海电区，", "门口有个小汤占道"]
    assert all(seconds < 8.0 for seconds, _, _ in scorer.asked)
    assert scorer.asked[1][2].endswith("我住在海电区，"), "what was said before is context"


def test_nothing_to_judge_costs_nothing() -> None:
    scorer = PreferringScorer({})
    assert respell(np.zeros(SAMPLE_RATE, np.float32), "你好", [], [], scorer) == ("你好", [])
    assert scorer.asked == []


@pytest.mark.parametrize("clip, heard, said", [
    # As Whisper base writes these clips; the reference has the names on the right.
    ("d005_1.wav", "请问一下北京委号现行是几点到几点，五环上面限不限行？", "尾号限行"),
    ("d020_2.wav", "健身房在通周期玉桥街道，玉桥中路那边的商场二楼。", "通州区"),
    ("d011_1.wav", "喂，你好，个人所得睡那个年度会算，今年是几月份开始？", "个人所得税"),
])
def test_the_recogniser_respells_what_it_misspelt(
    recognizer: WhisperRecognizer, knowledge: SeatKnowledge, clip: str, heard: str, said: str
) -> None:
    audio = dev_clip(clip)
    candidates = knowledge.misspellings.find(heard)
    assert said in {term for term, _, _ in candidates}
    respelt, _ = respell(audio, heard, [], candidates, recognizer.score_texts)
    assert said in respelt, respelt


def test_the_recogniser_keeps_a_name_the_caller_did_not_say(recognizer: WhisperRecognizer) -> None:
    # d013_2 says 朝阳区望京街道: other districts put where its 朝阳期 stands do not fit the audio.
    audio = dev_clip("d013_2.wav")
    heard = "在朝阳期望经接到普通东大街边上，工地就在我们小区南门对面。"
    wrong = [("海淀区", 1, 4), ("石景山区", 1, 4), ("旺泉街道", 4, 8)]
    assert respell(audio, heard, [], wrong, recognizer.score_texts) == (heard, [])


def test_a_surname_heard_two_ways_is_written_as_the_audio_says_it(recognizer: WhisperRecognizer) -> None:
    # dev2 e056_2 says 我姓荆，荆女士; Whisper base wrote the first 姆 and the second 经 (jing, as 荆).
    audio = load_audio(DEV_CORPUS.parent / "dev2" / "e056_2.wav")
    heard = ("他住在房山区城关街道。西大街边上的有安小区，22号楼一层。"
             "我是他对门的，我姓姆，经女士，电话18911307522地文。")
    candidates = surname_respellings(heard)
    assert {term for term, _, _ in candidates} == {"姆，姆", "经，经"}
    respelt, _ = respell(audio, heard, [], candidates, recognizer.score_texts)
    assert "我姓经，经女士" in respelt, respelt


def test_a_name_the_quick_decode_missed_is_heard_again_with_a_wider_search(recognizer: WhisperRecognizer) -> None:
    # dev2 e061_3 says 我姓费，费女士，电话…; the quick decode has written it 我现在可以说你是 on a
    # loaded machine. The seat had asked for the name with the number, so the turn is heard again.
    from agent.name_respelling import name_not_caught, with_name_heard_again
    from agent.names import extract_name

    audio = load_audio(DEV_CORPUS.parent / "dev2" / "e061_3.wav")
    quick = "我现在可以说你是电话139。不对13801642759。是138开头的。"
    assert name_not_caught(quick, asked=True)
    again = with_name_heard_again(quick, recognizer.listen_again(audio))
    assert again is not None and extract_name(again).name == "费女士"
    assert again.endswith("13801642759。是138开头的。")  # the rest of the turn as first heard
