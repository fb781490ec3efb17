"""The benchmarks compare this checkout with an earlier version run from its
own source tree: every module of that version must come from that tree.
The editable install maps every ``jixiao.*`` name to this checkout, so a
module the tree has must not come from here, and one it lacks must not be
found here either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_a_tree_is_imported_whole_and_alone(tmp_path: Path) -> None:
    tree = tmp_path / "old"
    for folder in ("jixiao", "extract", "normalize", "corpus", "output"):
        (tree / folder).mkdir(parents=True)
        (tree / folder / "__init__.py").write_text("")
    (tree / "extract" / "pipeline.py").write_text("VERSION = 'old'\n")
    probe = (
        f"import sys\nsys.path.insert(0, {str(BENCHMARKS)!r})\n"
        "from pathlib import Path\nfrom tree_import import use_tree\n"
        f"use_tree(Path({str(tree)!r}))\n"
        "import jixiao.extract.pipeline as p\n"
        "print(p.__file__, p.VERSION)\n"
        "try:\n    import jixiao.extract.furniture\nexcept ModuleNotFoundError:\n    print('furniture: not found')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == [f"{tree / 'extract' / 'pipeline.py'} old", "furniture: not found"]
