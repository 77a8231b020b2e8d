"""The situations file: callers' descriptions that name no service, and the terms they add."""

from __future__ import annotations

import pytest

from knowledge.kb_situations import CONCEPTS, concept_terms, parse_rules

RULES = """
# a comment
$FAMILY = 我爸 我妈
    爷爷 奶奶
[养老助残卡]
any: $FAMILY 老人
any: 卡 优待
not: 银行卡
[补办]
any: 养老助残卡
any: 丢
"""


def test_a_rule_needs_a_word_of_every_group_and_none_that_blocks_it() -> None:
    rules = parse_rules(RULES)
    assert rules[0] == ([["我爸", "我妈", "爷爷", "奶奶", "老人"], ["卡", "优待"]], ["养老助残卡"], ["银行卡"])
    assert len(rules) == 2


def test_the_shipped_rules_read_and_a_description_meets_its_service() -> None:
    assert len(CONCEPTS) > 100 and all(groups and added for groups, added, _ in CONCEPTS)
    # Named by what it is for, then what the caller wants done with it: two rounds.
    assert {"公积金", "提取", "租房"} <= set(concept_terms("单位每个月从工资里扣的那份住房的钱，能拿出来交房租吗"))
    assert concept_terms("今天天气怎么样") == []


def test_a_line_that_is_no_rule_is_named() -> None:
    with pytest.raises(ValueError, match="no rule"):
        parse_rules("[补办]\nany: 丢\nsome words astray")
