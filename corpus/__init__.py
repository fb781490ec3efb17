"""Folders of PDFs → the dataset: discovery, incremental and parallel runs, the sample corpus."""

from pathlib import Path

#: The bundled sample corpus: three departments, three years (2022–2024).
SAMPLE = Path(__file__).parent / "sample"

__all__ = ["SAMPLE"]
