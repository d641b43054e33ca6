"""A sorted multiset of floats with logarithmic insert, rank and position queries.

Rungs of the multi-fidelity schedulers receive one value per trial reaching
them, and every decision asks "where does this value rank?" or "what is the
q-quantile?". A flat sorted Python list costs O(n) per insert; here the
values live in buckets of bounded size (like ``sortedcontainers``), with a
Fenwick tree over the bucket sizes, so that

* :meth:`add` is O(log n + L) (L = bucket load, a constant),
* :meth:`rank` (number of values strictly smaller) and :meth:`__getitem__`
  are O(log n),
* :meth:`quantile` (numpy's default "linear" method) is O(log n).

Buckets are split when they exceed twice the load; the Fenwick tree is then
rebuilt (O(n / L)), which is amortised over at least L inserts.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from typing import Iterator

#: Target bucket size. Inserting into a Python list of this size is a
#: sub-microsecond memmove; splitting happens at twice this size.
DEFAULT_LOAD = 256


class SortedValues:
    """Sorted multiset of floats (duplicates allowed; NaN is not allowed).

    Parameters
    ----------
    values
        Initial values (any order).
    load
        Bucket size; the default suits 1 to 10^7 values.
    """

    __slots__ = ("_load", "_lists", "_maxes", "_tree", "_len")

    def __init__(self, values=(), load: int = DEFAULT_LOAD):
        if load < 4:
            raise ValueError(f"load must be >= 4, got {load}")
        self._load = int(load)
        self._lists: list[list[float]] = []
        self._maxes: list[float] = []
        self._tree: list[int] = []
        self._len = 0
        values = sorted(float(v) for v in values)
        if values:
            if any(v != v for v in values):
                raise ValueError("SortedValues does not accept NaN")
            self._lists = [values[i : i + self._load] for i in range(0, len(values), self._load)]
            self._maxes = [lst[-1] for lst in self._lists]
            self._len = len(values)
            self._rebuild_tree()

    # -- Fenwick tree over bucket sizes ---------------------------------------
    def _rebuild_tree(self) -> None:
        tree = [len(lst) for lst in self._lists]
        n = len(tree)
        for i in range(n):
            j = i | (i + 1)
            if j < n:
                tree[j] += tree[i]
        self._tree = tree

    def _tree_add(self, pos: int, delta: int) -> None:
        tree = self._tree
        n = len(tree)
        while pos < n:
            tree[pos] += delta
            pos |= pos + 1

    def _prefix(self, pos: int) -> int:
        """Number of values in buckets ``0 .. pos - 1``."""
        total = 0
        tree = self._tree
        while pos > 0:
            total += tree[pos - 1]
            pos &= pos - 1
        return total

    def _locate(self, index: int) -> tuple[int, int]:
        """(bucket, offset) of the ``index``-th smallest value (0-based)."""
        tree = self._tree
        n = len(tree)
        pos = 0
        step = 1 << (n.bit_length() - 1) if n else 0
        while step:
            nxt = pos + step
            if nxt <= n and tree[nxt - 1] <= index:
                index -= tree[nxt - 1]
                pos = nxt
            step >>= 1
        return pos, index

    # -- public API -------------------------------------------------------------
    def add(self, value: float) -> None:
        """Insert ``value``."""
        value = float(value)
        if value != value:
            raise ValueError("SortedValues does not accept NaN")
        maxes = self._maxes
        if not maxes:
            self._lists.append([value])
            maxes.append(value)
            self._tree = [1]
            self._len = 1
            return
        pos = bisect_left(maxes, value)
        if pos == len(maxes):
            pos -= 1
            self._lists[pos].append(value)
            maxes[pos] = value
        else:
            insort(self._lists[pos], value)
        self._len += 1
        if len(self._lists[pos]) > 2 * self._load:
            lst = self._lists[pos]
            half = len(lst) >> 1
            self._lists[pos : pos + 1] = [lst[:half], lst[half:]]
            maxes[pos : pos + 1] = [lst[half - 1], lst[-1]]
            self._rebuild_tree()
        else:
            self._tree_add(pos, 1)

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[float]:
        for lst in self._lists:
            yield from lst

    def __getitem__(self, index: int) -> float:
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(f"index {index} out of range for {self._len} values")
        pos, offset = self._locate(index)
        return self._lists[pos][offset]

    def rank(self, value: float) -> int:
        """Number of stored values strictly smaller than ``value``."""
        maxes = self._maxes
        pos = bisect_left(maxes, value)
        if pos == len(maxes):
            return self._len
        return self._prefix(pos) + bisect_left(self._lists[pos], value)

    def rank_right(self, value: float) -> int:
        """Number of stored values smaller than or equal to ``value``."""
        maxes = self._maxes
        pos = bisect_right(maxes, value)
        if pos == len(maxes):
            return self._len
        return self._prefix(pos) + bisect_right(self._lists[pos], value)

    def quantile(self, q: float) -> float | None:
        """``numpy.quantile(values, q)`` (linear interpolation), or ``None``
        if there are no values."""
        n = self._len
        if n == 0:
            return None
        if n == 1:
            return self[0]
        pos = (n - 1) * q
        lo = int(math.floor(pos))
        frac = pos - lo
        if lo >= n - 1:
            return self[n - 1]
        a = self[lo]
        if frac == 0.0:
            return a
        b = self[lo + 1]
        return a + frac * (b - a)

    def to_list(self) -> list[float]:
        return [v for lst in self._lists for v in lst]

    def __repr__(self) -> str:
        head = self.to_list()[:8]
        more = ", ..." if self._len > 8 else ""
        return f"SortedValues({head}{more}, n={self._len})"
