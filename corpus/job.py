"""What a run hands its workers, and what they hand back: small picklable
values, the same for the local worker processes and a Dask cluster. Light
to import: the run's parent process imports this, never the extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jixiao.settings import DEFAULT_MEMORY_MB, Settings
from jixiao.workdirs import run_tmp_dir

from .discovery import CorpusItem


@dataclass(frozen=True)
class Job:
    """How to process documents: the same for every document of a run."""

    dataset: Path  # absolute: resolved where the run starts, the same on every worker
    corpus_root: Path  # absolute
    settings: Settings
    pipeline_version: str
    run_id: str
    timeout_s: float | None = None
    memory_mb: int | None = DEFAULT_MEMORY_MB

    @property
    def tmp_dir(self) -> Path:
        """This run's temporary files (``jixiao.workdirs``)."""
        return run_tmp_dir(self.dataset, self.run_id)


#: Outcome statuses: the document's row says ok / partial / failed; a
#: document whose rows could not be written at all (a full disk) is unwritten.
UNWRITTEN = "unwritten"


@dataclass(frozen=True)
class Outcome:
    doc_id: str
    path: str  # readable
    status: str  # "ok" | "partial" | "failed" | UNWRITTEN
    pages: int
    seconds: float
    error_code: str | None = None
    error: str | None = None


@dataclass
class Plan:
    """What a run will do (made by ``.plan.plan_run`` in a worker)."""

    todo: list[CorpusItem]
    unchanged: int
    moved: list[CorpusItem] = field(default_factory=list)  # unchanged bytes under other paths
    replaced: list[str] = field(default_factory=list)  # doc_ids whose path now holds other bytes
    gone: list[str] = field(default_factory=list)  # doc_ids of this corpus whose files are all gone


@dataclass
class Final:
    """What the dataset holds for the corpus after the run."""

    ok: int
    partial: int
    failed: list[tuple[str, str, str]]  # (path, error code, message) of the corpus's failed documents
    duplicates: int  # the corpus's documents marked as another rendering of one
    removed: int  # documents removed (replaced, and pruned)
    gone: int  # documents whose files are gone, kept (no --prune)
