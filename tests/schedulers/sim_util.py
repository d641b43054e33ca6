"""A minimal event-driven driver for schedulers, for tests.

Trials train one epoch per time unit (times ``epoch_time(config)``) on
synthetic learning curves. Pause/resume keeps the progress (checkpointing),
and new trials started from a checkpoint (PBT) continue from the epoch the
source trial had reached. No backend or Tuner is involved: this checks the
schedulers' decisions and bookkeeping only.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime

from syne_tune.trial import Trial
from syne_tune.optimizer.scheduler import SchedulerDecision


def default_curve(config: dict, epoch: int) -> float:
    """Decreasing learning curve; "x" in [0, 1] sets the final value, the
    curves of different x cross (fast starters are not the best)."""
    x = float(config.get("x", 0.5))
    final = (x - 0.3) ** 2
    speed = 0.2 + 2.0 * x
    return final + math.exp(-speed * epoch)


@dataclass
class SimResult:
    num_results: int = 0
    num_started: int = 0
    num_resumed: int = 0
    num_stopped: int = 0
    num_paused: int = 0
    num_completed: int = 0
    total_epochs: int = 0
    best: float = math.inf
    decisions: list = field(default_factory=list)
    trials: dict = field(default_factory=dict)


def simulate(
    scheduler,
    max_epochs: int,
    n_workers: int = 4,
    max_results: int = 500,
    curve=default_curve,
    metric: str = "y",
    resource_attr: str = "epoch",
    max_resource_attr: str | None = None,
    mode: str = "min",
    extra_result=None,
) -> SimResult:
    out = SimResult()
    now = 0.0
    events = []  # (time, seq, trial_id, epoch)
    seq = 0
    progress = {}  # trial_id -> epochs done
    configs = {}
    running = set()
    paused = set()
    trials = {}
    next_id = 0
    sign = 1.0 if mode == "min" else -1.0

    def end_of(tid):
        cfg = configs[tid]
        if max_resource_attr is not None and max_resource_attr in cfg:
            return min(int(cfg[max_resource_attr]), max_epochs)
        return max_epochs

    def schedule_next(tid, t):
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t + 1.0, seq, tid, progress[tid] + 1))

    def fill_workers(t):
        nonlocal next_id
        while len(running) < n_workers:
            sug = scheduler.suggest(next_id)
            if sug is None:
                return False
            if sug.spawn_new_trial_id:
                tid = next_id
                next_id += 1
                configs[tid] = dict(sug.config)
                start = 0
                if sug.checkpoint_trial_id is not None:
                    start = progress[sug.checkpoint_trial_id]
                progress[tid] = start
                trials[tid] = Trial(tid, configs[tid], datetime.now())
                scheduler.on_trial_add(trials[tid])
                out.num_started += 1
            else:
                tid = sug.checkpoint_trial_id
                assert tid in paused, f"resume of trial {tid} which is not paused"
                paused.discard(tid)
                if sug.config is not None:
                    configs[tid] = dict(sug.config)
                    trials[tid] = Trial(tid, configs[tid], trials[tid].creation_time)
                out.num_resumed += 1
            running.add(tid)
            schedule_next(tid, t)
        return True

    fill_workers(now)
    while events and out.num_results < max_results:
        now, _, tid, epoch = heapq.heappop(events)
        if tid not in running:
            continue
        progress[tid] = epoch
        value = curve(configs[tid], epoch)
        result = {metric: value, resource_attr: epoch}
        if extra_result is not None:
            result.update(extra_result(configs[tid], epoch))
        out.num_results += 1
        out.total_epochs += 1
        out.best = min(out.best, sign * value) if mode == "min" else min(out.best, -value)
        decision = scheduler.on_trial_result(trials[tid], result)
        assert decision in SchedulerDecision.ALL
        out.decisions.append((tid, epoch, decision))
        if decision == SchedulerDecision.STOP:
            running.discard(tid)
            scheduler.on_trial_remove(trials[tid])
            out.num_stopped += 1
        elif decision == SchedulerDecision.PAUSE:
            running.discard(tid)
            paused.add(tid)
            scheduler.on_trial_remove(trials[tid])
            out.num_paused += 1
        elif epoch >= end_of(tid):
            running.discard(tid)
            scheduler.on_trial_complete(trials[tid], result)
            out.num_completed += 1
        else:
            schedule_next(tid, now)
        if not fill_workers(now) and not running:
            break
    if mode == "max":
        out.best = -out.best
    out.trials = {tid: progress[tid] for tid in progress}
    return out
