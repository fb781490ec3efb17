"""Layout document → canonical, typed records (projects, spending plans, indicators, flags)."""

from .pipeline import normalize_document
from .records import NormalizedDocument

__all__ = ["NormalizedDocument", "normalize_document"]
