"""The situations callers describe instead of naming a service ("parents winter in Hainan and need
a doctor" is 异地就医): rules that add the service's own terms to a KB query.

A rule fires when the text contains a word from each of its groups; concept_terms runs them twice,
so a thing named by what it is for ("工资里扣的住房的钱" → 公积金) can then meet what the caller
wants done with it ("交房租" → 提取 租房).
"""

from __future__ import annotations

from pathlib import Path

Rule = tuple[list[list[str]], list[str], list[str]]
"""(groups the text must each hit, terms added, words that block the rule)"""

RULES_FILE = Path(__file__).with_name("kb_situations.txt")


def parse_rules(text: str) -> list[Rule]:
    """The rules of a situations file (its format is described at its top)."""
    lines: list[str] = []
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw.startswith((" ", "\t")) and lines:
            lines[-1] += " " + raw.strip()  # a line continued
        else:
            lines.append(raw.strip())
    word_lists: dict[str, str] = {}
    rules: list[Rule] = []
    for line in lines:
        for name, words in word_lists.items():
            line = line.replace(f"${name}", words)
        if line.startswith("$"):
            name, _, words = line[1:].partition("=")
            word_lists[name.strip()] = words.strip()
        elif line.startswith("["):
            rules.append(([], line.strip("[]").split(), []))
        elif line.startswith("any:"):
            rules[-1][0].append(line[4:].split())
        elif line.startswith("not:"):
            rules[-1][2].extend(line[4:].split())
        else:
            raise ValueError(f"{RULES_FILE.name}: a line that is no rule: {line[:40]!r}")
    return rules


CONCEPTS = parse_rules(RULES_FILE.read_text(encoding="utf-8"))


def concept_words() -> set[str]:
    """Every word the concepts match on or add: how callers describe situations, and the services."""
    return {word for groups, added, _ in CONCEPTS for group in [*groups, added] for word in group}


def concept_terms(text: str) -> list[str]:
    """The service terms implied by a caller's description (see kb_situations.txt).

    Two rounds: a description often names a thing only by what it is for ("工资里扣的那份住房的
    钱" is 公积金), and what the caller wants done with it ("能拿出来交房租吗") is a concept of
    the service name the first round found."""
    first = _fired(text)
    terms = [term for index in first for term in CONCEPTS[index][1]]
    if terms:
        widened = f"{text} {' '.join(terms)}"
        terms += [term for index in _fired(widened) if index not in first for term in CONCEPTS[index][1]]
    return terms


def _fired(text: str) -> list[int]:
    fired = []
    for index, (groups, _, blockers) in enumerate(CONCEPTS):
        if any(word in text for word in blockers):
            continue
        if all(any(word in text for word in group) for group in groups):
            fired.append(index)
    return fired
