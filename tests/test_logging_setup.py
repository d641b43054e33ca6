"""The library's log lines are visible in a launcher that only sets a level, and
never printed twice when the launcher configures logging itself."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# A real INFO line of the library (streamline_config_space with verbose=True)
# and one through the Tuner's logger.
EMIT = """
from syne_tune import config_space as cs
from syne_tune.utils import streamline_config_space
streamline_config_space({"lr": cs.uniform(1e-5, 1.0)}, verbose=True)
logging.getLogger("syne_tune.tuner").info("TUNER-LINE")
logging.getLogger("syne_tune.tuner").warning("TUNER-WARNING")
"""


def _run(prologue: str) -> str:
    code = "import logging\n" + textwrap.dedent(prologue) + EMIT
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return out.stdout + out.stderr


def test_level_only_shows_library_info_lines_once():
    out = _run("""
        logging.getLogger().setLevel(logging.INFO)
        import syne_tune
    """)
    assert out.count("TUNER-LINE") == 1 and out.count("TUNER-WARNING") == 1
    assert "INFO:syne_tune.tuner:TUNER-LINE" in out  # the format of logging.basicConfig
    assert out.count("lr: uniform(1e-05, 1.0) -> loguniform(1e-05, 1.0)") == 1


def test_level_set_after_importing_the_library():
    out = _run("""
        import syne_tune
        logging.getLogger().setLevel(logging.INFO)
    """)
    assert out.count("TUNER-LINE") == 1


@pytest.mark.parametrize("order", ["before", "after"])
def test_launcher_basic_config_is_used_and_nothing_is_doubled(order):
    config = "logging.basicConfig(level=logging.INFO, format='MINE %(name)s %(message)s')"
    prologue = f"{config}\nimport syne_tune\n" if order == "before" else f"import syne_tune\n{config}\n"
    out = _run(prologue)
    assert out.count("TUNER-LINE") == 1 and out.count("TUNER-WARNING") == 1
    assert "MINE syne_tune.tuner TUNER-LINE" in out  # the launcher's format (and level) apply
    assert out.count("loguniform(1e-05, 1.0)") == 1


def test_handler_on_library_logger_is_not_doubled():
    out = _run("""
        import sys
        import syne_tune
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("OWN %(message)s"))
        logging.getLogger("syne_tune").addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
    """)
    assert out.count("TUNER-LINE") == 1 and "OWN TUNER-LINE" in out


def test_default_is_warnings_only():
    out = _run("import syne_tune\n")
    assert "TUNER-LINE" not in out and "loguniform" not in out
    assert out.count("TUNER-WARNING") == 1


def test_install_is_idempotent_and_uses_current_stderr(capsys):
    import logging

    from syne_tune.utils.logging_setup import DefaultHandler, install_default_handler

    handler = install_default_handler()
    assert install_default_handler() is handler
    assert [h for h in logging.getLogger("syne_tune").handlers if isinstance(h, DefaultHandler)] == [handler]
    record = logging.LogRecord("syne_tune.x", logging.WARNING, __file__, 1, "direct", None, None)
    handler.emit(record)
    assert "WARNING:syne_tune.x:direct" in capsys.readouterr().err


TUNER_RUN = """
import sys
sys.path.insert(0, {core!r})
from inprocess_backend import InProcessBackend
from syne_tune import StoppingCriterion, Tuner
from syne_tune.config_space import uniform
from syne_tune.optimizer.baselines import RandomSearch

def objective(config, epoch):
    return (config["x"] - 0.5) ** 2 / epoch

scheduler = RandomSearch({{"x": uniform(-2, 2), "epochs": 3}}, metric="loss", random_seed=1)
tuner = Tuner(InProcessBackend(objective), scheduler, StoppingCriterion(max_num_trials_completed=3),
              n_workers=1, sleep_time=0, tuner_name="log-test")
tuner.run()
"""


@pytest.mark.parametrize("prologue", ["logging.getLogger().setLevel(logging.INFO)\n", "logging.basicConfig(level=logging.INFO)\n"])
def test_tuner_info_lines_shown_once_in_a_launcher(prologue, tmp_path):
    core = str(Path(__file__).resolve().parent / "core")
    code = "import logging\n" + prologue + TUNER_RUN.format(core=core)
    env = {**os.environ, "SYNETUNE_FOLDER": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [line for line in out.stderr.splitlines() if line.startswith("INFO:syne_tune.tuner:")]
    assert lines, out.stderr
    assert len(lines) == len(set(lines)), "a tuner line was printed twice"
