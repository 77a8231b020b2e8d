from voice.tts.chunks import speech_chunks


def test_replies_are_cut_at_full_stops_not_commas() -> None:
    text = "可以。在本市没有自有住房的，可以申请提取！请问还有其他需要吗？"
    assert speech_chunks(text) == ["可以。", "在本市没有自有住房的，可以申请提取！", "请问还有其他需要吗？"]


def test_a_long_first_sentence_starts_with_its_first_clause() -> None:
    text = "社保卡丢失后，请先拨打社保服务热线或到银行网点办理挂失，然后申请补办。补卡需要工本费，请带好身份证。"
    assert speech_chunks(text) == [
        "社保卡丢失后，",
        "请先拨打社保服务热线或到银行网点办理挂失，然后申请补办。",
        "补卡需要工本费，请带好身份证。",
    ]
    # Not after a lone filler, and not where the sentence has no clause to cut at.
    assert speech_chunks("嗯，这个情况我们已经记录下来了，会尽快处理。")[0] == "嗯，这个情况我们已经记录下来了，"
    whole = "您反映的问题我们已经记录下来并会尽快转交处理。"
    assert speech_chunks(whole) == [whole]


def test_text_without_a_final_mark_is_kept() -> None:
    assert speech_chunks("好的；马上为您转接 ") == ["好的；", "马上为您转接"]
    assert speech_chunks("") == []
