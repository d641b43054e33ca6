"""One bracket of synchronous Hyperband: rungs of slots filled in order.

A bracket is a list of rungs ``(size, level)``: ``size`` slots at resource
``level``, sizes decreasing, levels increasing. Slots of the lowest rung are
given to new trials. A rung is complete when all its slots hold a result;
only then are the best ``size_{k+1}`` trials of rung ``k`` promoted into the
slots of rung ``k + 1`` (synchronous successive halving); the others will
never run again (their checkpoints can be removed). Failed trials hold NaN,
which ranks after every value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class SlotInRung:
    """A job: run ``trial_id`` (``None``: a new trial) up to ``level``."""

    rung_index: int
    level: int
    slot_index: int
    trial_id: Any
    metric_val: float | None


def check_bracket_rungs(rungs) -> list[tuple[int, int]]:
    """Validates ``[(size, level), ...]``; raises ValueError."""
    if not isinstance(rungs, (list, tuple)) or not rungs:
        raise ValueError(f"A bracket needs a non-empty list of (size, level) pairs, got {rungs!r}")
    out = []
    for entry in rungs:
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise ValueError(f"Rung entries must be (size, level) pairs, got {entry!r}")
        size, level = entry
        for name, x in (("size", size), ("level", level)):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or x < 1 or int(x) != x:
                raise ValueError(f"Rung {name} must be a positive integer, got {x!r} in {rungs!r}")
        out.append((int(size), int(level)))
    sizes = [s for s, _ in out]
    levels = [lv for _, lv in out]
    if any(a >= b for a, b in zip(levels, levels[1:])):
        raise ValueError(f"Rung levels must be strictly increasing, got {levels}")
    if any(a < b for a, b in zip(sizes, sizes[1:])):
        raise ValueError(f"Rung sizes must not increase, got {sizes}")
    return out


class SynchronousHyperbandBracket:
    """Parameters: ``rungs`` = ``[(size, level), ...]``; ``mode`` "min"/"max"."""

    def __init__(self, rungs, mode: str):
        self.rungs = check_bracket_rungs(rungs)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self._sign = 1.0 if mode == "min" else -1.0
        self.current_rung = 0
        size = self.rungs[0][0]
        self._trial_ids: list = [None] * size
        self._values: list = [None] * size
        self._next_free = 0
        self._num_filled = 0
        #: Completed rungs: list of [(trial_id, value)] per rung
        self.history: list[list[tuple[Any, float]]] = []

    @property
    def num_rungs(self) -> int:
        return len(self.rungs)

    def is_bracket_complete(self) -> bool:
        return self.current_rung >= self.num_rungs

    def num_pending_slots(self) -> int:
        if self.is_bracket_complete():
            return 0
        return self._next_free - self._num_filled

    def next_free_slot(self) -> SlotInRung | None:
        """The next job of the current rung, or ``None`` if all are handed
        out (the bracket waits for results)."""
        if self.is_bracket_complete() or self._next_free >= len(self._trial_ids):
            return None
        pos = self._next_free
        self._next_free += 1
        return SlotInRung(
            rung_index=self.current_rung,
            level=self.rungs[self.current_rung][1],
            slot_index=pos,
            trial_id=self._trial_ids[pos],
            metric_val=None,
        )

    def on_result(self, slot: SlotInRung) -> list | None:
        """Fills ``slot`` (``metric_val`` NaN for a failed job).

        Returns
        -------
        list | None
            ``None`` if the current rung is not complete yet; else (the
            promotions are done) the trial ids of the completed rung that were
            not promoted (empty after the last rung of the bracket).
        """
        if slot.rung_index != self.current_rung:
            raise ValueError(f"Result for rung {slot.rung_index}, but rung {self.current_rung} is current")
        pos = slot.slot_index
        if not 0 <= pos < self._next_free:
            raise ValueError(f"Slot {pos} was not handed out")
        if self._values[pos] is not None:
            raise ValueError(f"Slot {pos} of rung {self.current_rung} already has a result")
        if self._trial_ids[pos] is not None and slot.trial_id != self._trial_ids[pos]:
            raise ValueError(f"Slot {pos} belongs to trial {self._trial_ids[pos]}, not {slot.trial_id}")
        value = slot.metric_val
        value = math.nan if value is None else float(value)
        self._trial_ids[pos] = slot.trial_id
        self._values[pos] = value
        self._num_filled += 1
        if self._num_filled < len(self._trial_ids):
            return None
        return self._complete_rung()

    def _complete_rung(self) -> list:
        entries = list(zip(self._trial_ids, self._values))
        self.history.append(entries)
        self.current_rung += 1
        if self.is_bracket_complete():
            return []
        new_size = self.rungs[self.current_rung][0]
        sign = self._sign

        def key(item):
            pos, (tid, value) = item
            return (math.inf if value != value else sign * value, pos)

        ranked = sorted(enumerate(entries), key=key)
        self._trial_ids = [tid for _, (tid, _) in ranked[:new_size]]
        self._values = [None] * new_size
        self._next_free = 0
        self._num_filled = 0
        return [tid for _, (tid, _) in ranked[new_size:]]
