"""A document's identity: everything its rows depend on.

The rows of a document follow from its bytes, the settings it was read with
(engine, parser, OCR mode), the manifest values that apply to it, and the
versions of jixiao and of the dataset schema. Their hash, the input key, is
recorded in ``documents.input_key``; a re-run redoes a document whose key
changed (a different ``--ocr``, a corrected manifest, a newer jixiao) and
skips one whose key is the same.
"""

from __future__ import annotations

import hashlib
import json

from jixiao.filenames import exact_bytes, readable
from jixiao.output.dataset import Provenance
from jixiao.schema import SCHEMA_VERSION

from .discovery import CorpusItem
from .job import Job


def settings_json(job: Job) -> str:
    return json.dumps(job.settings.identity(), sort_keys=True, ensure_ascii=False)


def input_key(item: CorpusItem, job: Job) -> str:
    """The document's input key (64 hex digits)."""
    identity = {
        "sha256": item.sha256,
        "settings": job.settings.identity(),
        "manifest": item.manifest.values(),
        "pipeline_version": job.pipeline_version,
        "schema_version": SCHEMA_VERSION,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def provenance(item: CorpusItem, job: Job) -> Provenance:
    """What the ``documents`` row records about where the document came from."""
    return Provenance(
        source_relpath=item.relpath,
        corpus_root=readable(job.corpus_root),
        source_url=item.manifest.source_url,
        source_path_bytes=exact_bytes(item.path),
        settings=settings_json(job),
        input_key=input_key(item, job),
    )
