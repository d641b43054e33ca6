"""Active brackets of synchronous Hyperband and job assignment.

Brackets are created in turn with offsets ``0, 1, ..., B-1, 0, 1, ...`` (offset
``b`` uses ``bracket_rungs[b]``). The *primary* bracket is the oldest one not
complete. A job (``next_job``) goes to the first active bracket, from the
primary one on, whose current rung still has a slot to hand out; if none has
(all of them wait for results of running jobs), a new bracket is opened, so a
free worker is never left idle.
"""

from __future__ import annotations

from syne_tune.optimizer.schedulers.synchronous.hyperband_bracket import (
    SlotInRung,
    SynchronousHyperbandBracket,
    check_bracket_rungs,
)


class SynchronousHyperbandBracketManager:
    def __init__(self, bracket_rungs, mode: str):
        if not isinstance(bracket_rungs, (list, tuple)) or not bracket_rungs:
            raise ValueError("bracket_rungs must be a non-empty list of brackets")
        self.bracket_rungs = [check_bracket_rungs(r) for r in bracket_rungs]
        self.mode = mode
        self.brackets: list[SynchronousHyperbandBracket] = []
        self._offsets: list[int] = []
        self._primary = 0
        self._new_bracket()

    @property
    def num_bracket_offsets(self) -> int:
        return len(self.bracket_rungs)

    def _new_bracket(self) -> int:
        bracket_id = len(self.brackets)
        offset = bracket_id % len(self.bracket_rungs)
        self._offsets.append(offset)
        self.brackets.append(SynchronousHyperbandBracket(self.bracket_rungs[offset], self.mode))
        return bracket_id

    def level_to_prev_level(self, bracket_id: int, level: int) -> int:
        """Rung level before ``level`` in the bracket (0 for the first)."""
        levels = [lv for _, lv in self.bracket_rungs[self._offsets[bracket_id]]]
        pos = levels.index(level)
        return levels[pos - 1] if pos > 0 else 0

    def is_last_level(self, bracket_id: int, level: int) -> bool:
        return self.bracket_rungs[self._offsets[bracket_id]][-1][1] == level

    def next_job(self) -> tuple[int, SlotInRung]:
        for bracket_id in range(self._primary, len(self.brackets)):
            slot = self.brackets[bracket_id].next_free_slot()
            if slot is not None:
                return bracket_id, slot
        bracket_id = self._new_bracket()
        return bracket_id, self.brackets[bracket_id].next_free_slot()

    def on_result(self, bracket_id: int, slot: SlotInRung) -> list | None:
        """Passes a result to its bracket. Returns ``None`` if no rung was
        completed, else the trial ids the completed rung did not promote (see
        :meth:`SynchronousHyperbandBracket.on_result`)."""
        if not self._primary <= bracket_id < len(self.brackets):
            raise ValueError(f"bracket_id {bracket_id} is not active")
        not_promoted = self.brackets[bracket_id].on_result(slot)
        while self._primary < len(self.brackets) and self.brackets[self._primary].is_bracket_complete():
            self._primary += 1
        if self._primary == len(self.brackets):
            self._new_bracket()
        return not_promoted
