"""jixiao: digitise Chinese budget performance texts (绩效文本) into a typed dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jixiao.model import Document
    from jixiao.settings import Settings


def read_pdf(path, settings: Settings | None = None, **overrides) -> Document:
    """Read a PDF into the document model (see :func:`jixiao.extract.read_pdf`)."""
    from jixiao.extract import read_pdf as _read_pdf

    return _read_pdf(path, settings, **overrides)


def __getattr__(name: str) -> Any:
    """``Document`` and ``Settings`` on first use: a process that only runs
    the corpus runner's parent never imports pydantic models it does not need.
    ``__version__`` too: importlib.metadata costs a whole-process command
    (``jixiao tables``) a tenth of its start-up."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("jixiao")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0.0.0"
    if name == "Document":
        from jixiao.model import Document

        return Document
    if name == "Settings":
        from jixiao.settings import Settings

        return Settings
    raise AttributeError(f"module 'jixiao' has no attribute {name!r}")


def open_dataset(path):
    """The Parquet dataset at ``path`` (see :func:`jixiao.dataset.open_dataset`)."""
    from jixiao.dataset import open_dataset as _open_dataset

    return _open_dataset(path)


__all__ = ["Document", "Settings", "__version__", "open_dataset", "read_pdf"]
