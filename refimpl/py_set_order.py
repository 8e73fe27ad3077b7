"""The iteration order of a CPython ``set`` of strings, from the strings' hashes.

TF 2.12 and 2.13 list the debug file's ``files`` in the iteration order of a Python
``set`` of file names (spec.md 10.4.12). That order is the order of the set's hash table
slots, which CPython decides from each string's ``hash()`` (seeded per process by
``PYTHONHASHSEED``) and the order the strings were added. This module replays CPython's
set insertion (``Objects/setobject.c`` of CPython 3.7 to 3.11: a table of 8 slots at first,
up to 9 linear probes, then perturbed probing; the table grows to 4 times the entries once
it is 3/5 full, 2 times above 50,000 entries) from recorded hashes, with no deletion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["set_iteration_order"]

_MIN_SIZE = 8
_LINEAR_PROBES = 9
_PERTURB_SHIFT = 5
_WORD = (1 << 64) - 1  # size_t of a 64-bit build: hashes are used modulo 2**64


def _insert_clean(table: list[str | None], hashes: list[int], key: str, h: int) -> None:
    """Puts ``key`` in the first free slot of its probe sequence (``set_insert_clean``)."""
    mask = len(table) - 1
    perturb = h
    i = h & mask
    while True:
        if table[i] is None:
            break
        found = False
        if i + _LINEAR_PROBES <= mask:
            for j in range(1, _LINEAR_PROBES + 1):
                if table[i + j] is None:
                    i += j
                    found = True
                    break
        if found:
            break
        perturb >>= _PERTURB_SHIFT
        i = (i * 5 + 1 + perturb) & mask
    table[i] = key
    hashes[i] = h


def set_iteration_order(keys: Iterable[str], hashes: Mapping[str, int]) -> list[str]:
    """The order ``list(s)`` gives for ``s = set(); s.add(k) for k in keys`` in a process
    where ``hash(k) == hashes[k]`` (64-bit CPython 3.7-3.11).

    Without deletions, ``set_add_entry`` of a new key probes exactly the slots
    ``set_insert_clean`` does and takes the first empty one; a key already added changes
    nothing.
    """
    table: list[str | None] = [None] * _MIN_SIZE
    table_hashes = [0] * _MIN_SIZE
    members: set[str] = set()
    for key in keys:
        if key in members:
            continue
        members.add(key)
        _insert_clean(table, table_hashes, key, hashes[key] & _WORD)
        if len(members) * 5 >= (len(table) - 1) * 3:  # fill*5 >= mask*3: grow
            table, table_hashes = _resized(table, table_hashes, len(members))
    return [k for k in table if k is not None]


def _resized(
    table: list[str | None], hashes: list[int], used: int
) -> tuple[list[str | None], list[int]]:
    """``set_table_resize(used > 50000 ? used * 2 : used * 4)``: entries reinserted in slot
    order into the smallest power-of-two table above that size."""
    minused = used * 2 if used > 50000 else used * 4
    size = _MIN_SIZE
    while size <= minused:
        size <<= 1
    new_table: list[str | None] = [None] * size
    new_hashes = [0] * size
    for key, h in zip(table, hashes, strict=True):
        if key is not None:
            _insert_clean(new_table, new_hashes, key, h)
    return new_table, new_hashes
