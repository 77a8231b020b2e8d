from voice.tts.chunks import speech_chunks


def test_replies_are_cut_at_full_stops_not_commas() -> None:
    text = "可以。在本市没有自有住房的，可以申请提取！请问还有其他需要吗？"
    assert speech_chunks(text) == ["可以。", "在本市没有自有住房的，可以申请提取！", "请问还有其他需要吗？"]


def test_text_without_a_final_mark_is_kept() -> None:
    assert speech_chunks("好的；马上为您转接 ") == ["好的；", "马上为您转接"]
    assert speech_chunks("") == []
