"""The corpus of each TensorFlow release: where it is, which releases there are.

The corpus of TF 2.21.0 (``REFERENCE_RELEASE``) is the package's main corpus
(``DEFAULT_DIRECTORY``). Each other release has a smaller one recorded from its own TF
(``scripts/generate_corpus.py --tf-release``, docs/tf-releases.md):
``releases/<release>/{cases/,MANIFEST.json}``, with the snapshots of every release
corpus in one shared ``releases/snapshots/`` (named by SHA-256, so equal bytes are stored
once), and, when refimpl does not reproduce every case, ``releases/<release>/failures.txt``
(a failure list, ``conformance.run.failure_list``, with reasons in comments).
"""

from __future__ import annotations

import re
from pathlib import Path

from conformance.corpus.files import DEFAULT_DIRECTORY

__all__ = [
    "REFERENCE_RELEASE",
    "RELEASES_DIRECTORY",
    "corpus_directory",
    "failure_list_path",
    "release_corpora",
    "resolve_release",
]

#: The release of the main corpus.
REFERENCE_RELEASE = "2.21.0"
#: Where the other releases' corpora are.
RELEASES_DIRECTORY = DEFAULT_DIRECTORY / "releases"

_RELEASE = re.compile(r"^\d+\.\d+\.\d+$")


def _key(release: str) -> tuple[int, ...]:
    return tuple(int(part) for part in release.split("."))


def release_corpora() -> list[str]:
    """Every release with a corpus, oldest first (``REFERENCE_RELEASE`` included)."""
    found = {REFERENCE_RELEASE}
    if RELEASES_DIRECTORY.is_dir():
        found |= {
            d.name
            for d in RELEASES_DIRECTORY.iterdir()
            if _RELEASE.match(d.name) and (d / "MANIFEST.json").is_file()
        }
    return sorted(found, key=_key)


def resolve_release(release: str) -> str:
    """The full release with a corpus that ``release`` names (``2.16`` or ``2.16.2``).

    Raises ``ValueError`` when no corpus matches.
    """
    known = release_corpora()
    if release in known:
        return release
    matches = [r for r in known if r.startswith(release + ".") and release.count(".") == 1]
    if len(matches) != 1:
        raise ValueError(f"no corpus for TensorFlow {release!r} (have: {', '.join(known)})")
    return matches[0]


def corpus_directory(release: str) -> Path:
    """The corpus directory of ``release`` (as ``resolve_release`` accepts it)."""
    full = resolve_release(release)
    return DEFAULT_DIRECTORY if full == REFERENCE_RELEASE else RELEASES_DIRECTORY / full


def failure_list_path(release: str) -> Path | None:
    """refimpl's failure list for ``release``'s corpus, if it has one."""
    path = corpus_directory(release) / "failures.txt"
    return path if path.is_file() else None
