"""What the seat looks things up in: the KB, the responsibility catalogue and the gazetteer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from agent.hearing import SoundCorrector, domain_vocabulary, names_to_listen_for
from knowledge.catalogue import Catalogue
from knowledge.formats import read_catalogue, read_gazetteer, read_kb
from knowledge.gazetteer import Gazetteer
from knowledge.kb import KbIndex
from knowledge.spelling import Misspellings


@dataclass
class SeatKnowledge:
    """Everything the offline seat consults; built once and shared read-only by all calls."""

    kb: KbIndex
    catalogue: Catalogue
    gazetteer: Gazetteer

    @classmethod
    def from_files(cls, kb: str | Path, catalogue: str | Path, gazetteer: str | Path) -> SeatKnowledge:
        """From the three import formats (DESIGN.md); raises knowledge.formats.KnowledgeFormatError."""
        return cls(
            kb=KbIndex(read_kb(kb)),
            catalogue=Catalogue(read_catalogue(catalogue)),
            gazetteer=Gazetteer(read_gazetteer(gazetteer)),
        )

    @cached_property
    def sound_corrector(self) -> SoundCorrector:
        """Undoes the recogniser's homophones of this knowledge's service and problem words;
        built once here because it costs more than a call should pay."""
        return SoundCorrector(domain_vocabulary(self.kb, self.catalogue))

    @cached_property
    def misspellings(self) -> Misspellings:
        """Finds where a transcript may have misspelt one of this knowledge's names or terms."""
        return Misspellings(names_to_listen_for(self.kb, self.catalogue, self.gazetteer))
