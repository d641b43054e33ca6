"""Launcher of the simulator kill test: ASHA (promotion: trials are paused
and resumed) on a small tabulated blackbox, simulated time only
(``add_real_time=False``), with a snapshot every 100 ms of real time.

    python sim_launcher.py NAME          start, or resume NAME if it has a saved tuner
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "simulator"))

from sim_blackboxes import NUM_EPOCHS, make_tabular  # noqa: E402

from syne_tune import StoppingCriterion, Tuner  # noqa: E402
from syne_tune.backend.simulator_backend import SimulatorCallback  # noqa: E402
from syne_tune.blackbox_repository import UserBlackboxBackend  # noqa: E402
from syne_tune.optimizer.baselines import ASHA  # noqa: E402
from syne_tune.util import experiment_path  # noqa: E402

SIMULATED_HOURS = 40


def make_tuner(name: str, results_update_interval: float = 0.1) -> Tuner:
    tabular = make_tabular()
    config_space = dict(tabular.configuration_space, epochs=NUM_EPOCHS)
    return Tuner(
        trial_backend=UserBlackboxBackend(
            tabular, elapsed_time_attr="elapsed", max_resource_attr="epochs", seed=0, add_real_time=False
        ),
        scheduler=ASHA(config_space, metric="error", resource_attr="epoch", max_resource_attr="epochs",
                       type="promotion", random_seed=3, search_options={"allow_duplicates": True}),
        stop_criterion=StoppingCriterion(max_wallclock_time=SIMULATED_HOURS * 3600),
        n_workers=4,
        sleep_time=0,
        results_update_interval=results_update_interval,
        callbacks=[SimulatorCallback()],
        tuner_name=name,
        suffix_tuner_name=False,
    )


def main():
    name = sys.argv[1]
    path = experiment_path(name)
    tuner = Tuner.load(path) if (path / "tuner.dill").exists() else make_tuner(name)
    print("RUN", flush=True)
    tuner.run()
    print("TUNING-FINISHED", flush=True)


if __name__ == "__main__":
    main()
