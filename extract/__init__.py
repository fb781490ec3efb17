"""PDF → layout document (:class:`jixiao.model.Document`)."""

from .pipeline import ENGINES, read_pdf

__all__ = ["ENGINES", "read_pdf"]
