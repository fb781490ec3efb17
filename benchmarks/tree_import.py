"""Import jixiao from another source tree, and nothing of it from this one.

A benchmark compares this checkout with an earlier version by running the
earlier one in a process of its own. The editable install's import finder
maps every ``jixiao.*`` name to this checkout, so it is taken out of the
process first; then only the packages are found here, and their modules
by Python's path finder on the packages' ``__path__``, inside the tree.

Run as a script, it is the ``jixiao`` command of that tree:
``python benchmarks/tree_import.py TREE tables PDF`` — light on purpose
(sys and importlib only), so the old version's start-up is not inflated.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

#: Where each of jixiao's packages lives in a source tree (pyproject.toml package-dir).
PACKAGE_DIRS = {"jixiao": "jixiao", "jixiao.extract": "extract", "jixiao.normalize": "normalize",
                "jixiao.corpus": "corpus", "jixiao.output": "output"}


class _TreeFinder:
    """Finds jixiao's packages in one source tree."""

    def __init__(self, tree: Path) -> None:
        self.dirs = {name: tree / folder for name, folder in PACKAGE_DIRS.items()}

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        folder = self.dirs.get(fullname)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(fullname, folder / "__init__.py",
                                                      submodule_search_locations=[str(folder)])


def use_tree(tree: Path) -> None:
    """Make this process import jixiao from ``tree`` only."""
    sys.meta_path[:] = [finder for finder in sys.meta_path
                        if not str(getattr(finder, "__module__", "")).startswith("__editable__")]
    sys.meta_path.insert(0, _TreeFinder(tree))


if __name__ == "__main__":
    use_tree(Path(sys.argv[1]))
    from jixiao.cli import main

    sys.argv = ["jixiao", *sys.argv[2:]]
    main()
