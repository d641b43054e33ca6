"""Ask-and-tell: drive a scheduler from your own loop, without the Tuner.

Useful when you already have an execution system (a notebook, a job queue)
and only want the scheduler's decisions. Here a cheap function stands in for
training; with a multi-fidelity scheduler, intermediate results are told with
``final=False`` and the returned decision says whether to go on.

    python examples/launch_ask_tell.py
"""

import math

from syne_tune.config_space import loguniform, uniform
from syne_tune.optimizer.baselines import ASHA, RandomSearch
from syne_tune.optimizer.scheduler import SchedulerDecision
from syne_tune.optimizer.schedulers.ask_tell_scheduler import AskTellScheduler

MAX_EPOCHS = 27
CONFIG_SPACE = {"lr": loguniform(1e-4, 1.0), "momentum": uniform(0.0, 0.99), "epochs": MAX_EPOCHS}


def loss_after(config: dict, epoch: int) -> float:
    """A made-up learning curve: best around lr=0.03, momentum=0.9."""
    quality = (math.log10(config["lr"]) + 1.5) ** 2 + 4 * (config["momentum"] - 0.9) ** 2
    return quality + 2.0 / math.sqrt(epoch)


def full_fidelity():
    scheduler = AskTellScheduler(RandomSearch(CONFIG_SPACE, metric="loss", random_seed=0))
    for _ in range(30):
        trial = scheduler.ask()
        scheduler.tell(trial, {"loss": loss_after(trial.config, MAX_EPOCHS), "epoch": MAX_EPOCHS})
    trial, result = scheduler.best_trial("loss")
    print(f"random search: best loss {result['loss']:.4f} with {trial.config}")


def multi_fidelity():
    scheduler = AskTellScheduler(
        ASHA(CONFIG_SPACE, metric="loss", resource_attr="epoch", max_t=MAX_EPOCHS, random_seed=0)
    )
    epochs_used = 0
    for _ in range(30):
        trial = scheduler.ask()
        for epoch in range(1, MAX_EPOCHS + 1):
            result = {"loss": loss_after(trial.config, epoch), "epoch": epoch}
            epochs_used += 1
            final = epoch == MAX_EPOCHS
            decision = scheduler.tell(trial, result, final=final)
            if not final and decision != SchedulerDecision.CONTINUE:
                break
    print(f"ASHA: {epochs_used} epochs instead of {30 * MAX_EPOCHS} for 30 trials")


if __name__ == "__main__":
    full_fidelity()
    multi_fidelity()
