"""What TF's output owes to the TensorFlow release that captured the snapshot.

The snapshot records the release (``environment.tensorflow_version``, rule 1.1). Most of
what differs from one release to the next is in the snapshot already and needs no rule
here: the version strings stamped into ``meta_info_def`` (rule 9.1.1), the graph's
``versions`` (rule 4.1), the OpDefs of the release's op registry (rule 5.4), the nodes'
attributes. What the release's export code does differently is a field of
``TFRelease``, derived from the version string by ``tf_release``; the rest of refimpl
asks this module instead of comparing versions (docs/tf-releases.md has the measurements).

- ``text_str_floats``: TF 2.12 to 2.20 write text files through ``graph_io.write_graph``,
  which passes ``float_format=''`` to ``text_format.MessageToString``: ``float`` fields
  print as ``str()`` of their value widened to a double (rule 10.2.8).
- ``debug_files_in_set_order``: TF 2.12 and 2.13 build the debug file in Python, its file
  names in a Python set's order and its frames in the deprecated ``traces`` map (rule
  10.4.12); 2.14 brought the C++ builder of rules 10.4.5-10.4.10.
- ``data_release``: the bundled release whose op registry (rule 5.4's fallback) and
  descriptor pool (which ``Any`` types text output expands, rule 10.2.7; how TF names
  message classes, rule 2.6) refimpl uses (``refimpl.release_data``): the release itself
  if refimpl bundles its data, else the nearest bundled release of the same
  ``major.minor`` (``2.15.0`` -> ``2.15.1``), else ``REFERENCE_RELEASE`` (``2.22.0``,
  ``2.11.0``, an unparsable version).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from refimpl.release_data import BASE_RELEASE, bundled_releases
from refimpl.versions import version_key

__all__ = [
    "REFERENCE_RELEASE",
    "REPRODUCED_RELEASES",
    "TFRelease",
    "data_release",
    "tf_release",
]

#: The release the specification and the main corpus describe.
REFERENCE_RELEASE = BASE_RELEASE  # "2.21.0", whose data refimpl bundles whole

#: The releases whose exports refimpl reproduces byte for byte, as measured on every hand
#: case and 100 random programs (docs/tf-releases.md).
REPRODUCED_RELEASES = frozenset(
    {
        "2.12.1",
        "2.13.1",
        "2.14.1",
        "2.15.1",
        "2.16.2",
        "2.17.1",
        "2.18.1",
        "2.19.1",
        "2.20.0",
        "2.21.0",
    }
)


@dataclass(frozen=True)
class TFRelease:
    """The behaviours of one TensorFlow release's export that the snapshot does not hold."""

    #: The version string as recorded (``"2.16.2"``).
    version: str
    #: Text files print float fields as ``str()`` of a double (``float_format=''``).
    text_str_floats: bool
    #: The debug file is built in Python: files in a set's order, the ``traces`` map.
    debug_files_in_set_order: bool
    #: refimpl reproduces this release's exports byte for byte (``REPRODUCED_RELEASES``).
    reproduced: bool
    #: The bundled release whose op registry and descriptor pool stand for this one.
    data_release: str


@cache
def tf_release(version: str) -> TFRelease:
    """The behaviours of release ``version`` (``major.minor.patch``, suffixes ignored).

    A version that does not parse means ``REFERENCE_RELEASE``.
    """
    key = version_key(version, REFERENCE_RELEASE)
    assert key is not None
    return TFRelease(
        version=version,
        text_str_floats=key < (2, 21, 0),
        debug_files_in_set_order=key < (2, 14, 0),
        reproduced=version in REPRODUCED_RELEASES,
        data_release=data_release(version),
    )


@cache
def data_release(version: str) -> str:
    """The bundled release whose data stands for ``version`` (``TFRelease.data_release``):
    ``version`` itself if bundled, else the bundled release of the same ``major.minor``
    nearest in patch (the later one on a tie), else ``REFERENCE_RELEASE``."""
    key = version_key(version)
    if key is None:
        return REFERENCE_RELEASE
    same_minor = [
        (abs(k[2] - key[2]), -k[2], r)
        for r in bundled_releases()
        if (k := version_key(r)) is not None and k[:2] == key[:2]
    ]
    return min(same_minor)[2] if same_minor else REFERENCE_RELEASE
