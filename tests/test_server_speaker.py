"""The seat's voice on one call: marks after sentences, what counts as heard, barge-in.

A stand-in voice (a tone per sentence) keeps these about the marks, not the synthesis."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from server.telephony.speaker import Speaker


class ToneVoice:
    sample_rate = 8000
    voice_id = "tone"

    def __init__(self, fail_on: str = "") -> None:
        self.fail_on = fail_on

    def synthesize(self, text: str) -> np.ndarray:
        if self.fail_on and self.fail_on in text:
            raise RuntimeError("voice down")
        return np.full(800, 0.1, dtype=np.float32)


def run_speaker(script, voice: ToneVoice | None = None) -> list[dict]:  # noqa: ANN001
    sent: list[dict] = []

    async def send(text: str) -> None:
        sent.append(json.loads(text))
        await asyncio.sleep(0)

    async def run_work(work):  # noqa: ANN001, ANN202
        return work()

    async def main() -> None:
        speaker = Speaker("MZ1", send, voice or ToneVoice(), run_work, "CA1")
        await script(speaker)

    asyncio.run(main())
    return sent


def marks(sent: list[dict]) -> list[str]:
    return [message["mark"]["name"] for message in sent if message["event"] == "mark"]


def test_each_sentence_is_marked_and_the_last_mark_is_the_replys_name() -> None:
    async def script(speaker: Speaker) -> None:
        reply = await speaker.wait(speaker.say("您好。请问在哪个区？详细地址是哪里？", name="reply-2"))
        assert reply.first_audio_at is not None and speaker.busy  # sent, not yet played
        for name in ("reply-2:0", "reply-2:1", "reply-2"):
            assert speaker.mark_returned(name)
        assert not speaker.busy and reply.heard == 3
        assert not speaker.mark_returned("reply-9")  # never sent

    sent = run_speaker(script)
    assert marks(sent) == ["reply-2:0", "reply-2:1", "reply-2"]
    assert sent[-1]["event"] == "mark" and sent[0]["event"] == "media"


def test_a_reply_with_nothing_to_say_is_still_marked() -> None:
    async def script(speaker: Speaker) -> None:
        await speaker.wait(speaker.say("", name="reply-0"))

    assert marks(run_speaker(script)) == ["reply-0"]


def test_a_sentence_the_voice_cannot_say_is_skipped_and_the_end_still_marked() -> None:
    async def script(speaker: Speaker) -> None:
        await speaker.wait(speaker.say("第一句。第二句。", name="reply-1"))

    assert marks(run_speaker(script, ToneVoice(fail_on="第二句"))) == ["reply-1:0", "reply-1"]


def test_barge_in_clears_and_marks_returned_after_it_are_not_heard() -> None:
    async def script(speaker: Speaker) -> None:
        reply = await speaker.wait(speaker.say("第一句。第二句。第三句。", name="reply-4"))
        speaker.mark_returned("reply-4:0")  # the caller heard the first sentence
        cut = await speaker.interrupt()
        assert cut == [reply] and reply.interrupted and reply.heard_text == "第一句。"
        for name in ("reply-4:1", "reply-4"):  # what the gateway held, returned by the clear
            assert speaker.mark_returned(name)
        assert reply.heard == 1 and speaker.heard_marks == ["reply-4:0"] and not speaker.busy

    sent = run_speaker(script)
    assert sent[-1] == {"event": "clear", "streamSid": "MZ1"}


def test_barge_in_while_synthesising_stops_the_rest() -> None:
    async def script(speaker: Speaker) -> None:
        reply = speaker.say("一。二。三。四。五。六。七。八。", name="reply-0")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await speaker.interrupt()
        assert reply.task is not None and reply.task.done()

    sent = run_speaker(script)
    assert sent[-1]["event"] == "clear"
    assert "reply-0" not in marks(sent)  # the reply never reached its end


def test_only_the_first_sentence_is_synthesised_as_urgent_work() -> None:
    lanes: list[str] = []

    def lane(name: str):  # noqa: ANN202
        async def run(work):  # noqa: ANN001, ANN202
            lanes.append(name)
            return work()

        return run

    async def main() -> None:
        async def send(text: str) -> None:
            await asyncio.sleep(0)

        speaker = Speaker("MZ1", send, ToneVoice(), lane("urgent"), "CA1", run_later=lane("later"))
        await speaker.wait(speaker.say("您好。请问在哪个区？详细地址是哪里？", name="reply-0"))

    asyncio.run(main())
    # The caller hears the first sentence while the others are synthesised.
    assert lanes == ["urgent", "later", "later"]
