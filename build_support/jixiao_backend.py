"""The build backend: setuptools, with an editable install the clone's folder cannot shadow.

The repository keeps ``jixiao/``, ``extract/``, ``normalize/``, ``corpus/``
and ``output/`` at its root and maps them to ``jixiao.*`` (``package-dir``
in pyproject.toml), so an editable install cannot be a plain path entry:
setuptools installs an import finder instead and appends it to
``sys.meta_path``, after Python's own path-based finder. A clone is a folder
named ``jixiao`` with no ``__init__.py``; run Python from the folder that
holds it and the path-based finder takes the clone itself for a namespace
package ``jixiao`` before setuptools' finder is asked ("module 'jixiao' has
no attribute 'open_dataset'").

This backend builds exactly what setuptools builds and changes one line of
the editable wheel: the ``.pth`` that installs the finder also moves it in
front of the path-based finder. The finder answers only for ``jixiao`` and
its subpackages, so every other import is untouched. Regular (non-editable)
installs need no change: a real package in site-packages always wins over a
namespace folder.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401 — the rest of the PEP 517/660 interface, unchanged
    build_sdist,
    build_wheel,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

#: The line setuptools writes into the editable .pth to install its finder.
_INSTALL_LINE = re.compile(r"import (?P<module>__editable___[A-Za-z0-9_]+_finder); (?P=module)\.install\(\)")
#: Appended to it: put the finder's meta path entries just before PathFinder.
_FIRST = ("; import sys, importlib.machinery as _m; _f = [f for f in sys.meta_path "
          "if getattr(f, '__module__', None) == '{module}']; "
          "[sys.meta_path.remove(f) for f in _f]; "
          "sys.meta_path[sys.meta_path.index(_m.PathFinder):sys.meta_path.index(_m.PathFinder)] = _f; "
          "del _m, _f")


def build_editable(wheel_directory: str, config_settings: dict | None = None,
                   metadata_directory: str | None = None) -> str:
    name = _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
    _finder_first(Path(wheel_directory) / name)
    return name


def _finder_first(wheel: Path) -> None:
    """Rewrite the wheel with the finder-installing ``.pth`` line extended
    (see the module docstring) and its RECORD entry updated. A wheel of
    another editable mode (a path entry, which is never shadowed) is left
    as it is."""
    with zipfile.ZipFile(wheel) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    pth = next((info.filename for info, data in entries
                if info.filename.endswith(".pth") and _INSTALL_LINE.fullmatch(data.decode().strip())), None)
    if pth is None:
        return
    rewritten = []
    for info, data in entries:
        if info.filename == pth:
            line = data.decode().strip()
            data = (line + _FIRST.format(module=_INSTALL_LINE.fullmatch(line)["module"]) + "\n").encode()
        rewritten.append((info, data))
    content = {info.filename: data for info, data in rewritten}[pth]
    record_line = f"{pth},sha256={_b64(hashlib.sha256(content).digest())},{len(content)}"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in rewritten:
            if info.filename.endswith(".dist-info/RECORD"):
                lines = [record_line if ln.startswith(f"{pth},") else ln for ln in data.decode().splitlines()]
                data = ("\n".join(lines) + "\n").encode()
            target.writestr(info, data)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
