"""Recipes ``yahpo-<scenario>``: YAHPO Gym surrogate blackboxes.

The surrogate of a scenario is not tabulated: "generating" the blackbox
copies the scenario's ``model.onnx``, ``config_space.json`` and
``encoding.json`` (and its licence file, if any) from the data mirror
(``<mirror>/yahpo/<scenario>/``) into ``<repository>/yahpo-<scenario>/``
next to a small ``yahpo.json`` (scenario, YAHPO version, instances, recipe
metadata). Loading returns ``{instance: YahpoSurrogateBlackbox}`` (see
:mod:`syne_tune.blackbox_repository.yahpo_surrogate` for the encoding, the
fidelities and the speed), each with a ``metadata`` dict like the tabulated
blackboxes (``default_metric``, ``default_mode``, ``metric_elapsed_time``,
``resource_attr``, ...). Needs ``onnxruntime`` (``>=1.16``) to evaluate.

Registered: the scenarios whose ONNX model is in the data mirror
(``lcbench``, ``rbv2_xgboost``, ``rbv2_rpart``, ``iaml_glmnet`` in yahpo_data
1.0.2 as mirrored; always registered) and any other scenario of
:data:`~syne_tune.blackbox_repository.yahpo_surrogate.SCENARIO_SPECS` whose
model is found in the mirror when the registry is built.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    MIRROR_ENV_VAR,
    SourceNotFoundError,
)
from syne_tune.blackbox_repository.storage import replace_folder
from syne_tune.blackbox_repository.yahpo_surrogate import (
    CITATION_YAHPO,
    SCENARIO_SPECS,
    YAHPO_VERSION,
    YahpoScenario,
    YahpoSurrogateBlackbox,
    available_scenarios,
    default_yahpo_data_path,
    scenario_metadata,
)

PREFIX = "yahpo-"
INFO_FILENAME = "yahpo.json"
_FILES = ("model.onnx", "config_space.json", "encoding.json")
_OPTIONAL_FILES = ("LICENSE-2.0.txt", "README.txt")
#: scenarios whose surrogate is in the mirrored yahpo_data (always registered)
MIRRORED_SCENARIOS = ("lcbench", "rbv2_xgboost", "rbv2_rpart", "iaml_glmnet")


class YahpoRecipe(BlackboxRecipe):
    """Recipe of ``yahpo-<scenario>`` (see module doc)."""

    def __init__(self, scenario: str):
        if scenario not in SCENARIO_SPECS:
            raise ValueError(
                f"unknown YAHPO scenario {scenario!r}, known: {sorted(SCENARIO_SPECS)}"
            )
        super().__init__(name=PREFIX + scenario, cite_reference=CITATION_YAHPO)
        self.scenario = scenario

    def _source_folder(self, mirror_path: Optional[Path]) -> Path:
        base = default_yahpo_data_path(mirror_path)
        if base is not None and all((base / self.scenario / f).is_file() for f in _FILES):
            return base / self.scenario
        where = (
            f"{Path(mirror_path) / 'yahpo' / self.scenario}"
            if mirror_path is not None
            else f"<mirror>/yahpo/{self.scenario} (no data mirror found; set "
            f"{MIRROR_ENV_VAR})"
        )
        raise SourceNotFoundError(
            f"source data of blackbox '{self.name}' not found: need {list(_FILES)} "
            f"in {where}"
        )

    def _generate_on_disk(self, target: Path, mirror_path: Optional[Path], download_dir: Path):
        source = self._source_folder(mirror_path)
        scenario = YahpoScenario(self.scenario, data_path=source)  # validates the files
        target = Path(target)
        tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True)
        try:
            for fname in _FILES + _OPTIONAL_FILES:
                if (source / fname).is_file():
                    shutil.copyfile(source / fname, tmp / fname)
            info = {
                "scenario": self.scenario,
                "yahpo_version": YAHPO_VERSION,
                "instances": scenario.instances,
                "objectives_names": scenario.y_names,
                "metadata": scenario_metadata(self.scenario),
                "source": str(source),
            }
            with open(tmp / INFO_FILENAME, "w") as f:
                json.dump(info, f, indent=1)
            replace_folder(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def is_generated(self, path: Path) -> bool:
        path = Path(path)
        return (path / INFO_FILENAME).is_file() and all(
            (path / f).is_file() for f in _FILES
        )

    def load(self, path: Path, **kwargs) -> Dict[str, YahpoSurrogateBlackbox]:
        """``{instance: blackbox}``. ``tasks`` (or ``instances``) selects
        instances; ``yahpo_kwargs = {"fidelities": [...]}`` restricts the
        fidelity values (other ``yahpo_kwargs`` of Syne Tune, such as
        ``check``, have no effect here)."""
        path = Path(path)
        with open(path / INFO_FILENAME) as f:
            info = json.load(f)
        yahpo_kwargs = kwargs.get("yahpo_kwargs") or {}
        unknown = set(yahpo_kwargs) - {"fidelities", "check"}
        if unknown:
            raise ValueError(f"unknown yahpo_kwargs {sorted(unknown)}")
        fidelities = yahpo_kwargs.get("fidelities")
        scenario = YahpoScenario(self.scenario, data_path=path)
        instances = kwargs.get("tasks") or kwargs.get("instances") or scenario.instances
        result = {}
        for instance in instances:
            bb = YahpoSurrogateBlackbox(scenario, str(instance), fidelities=fidelities)
            bb.metadata = dict(info.get("metadata") or scenario_metadata(self.scenario))
            result[str(instance)] = bb
        return result


def _registered_scenarios() -> List[str]:
    names = list(MIRRORED_SCENARIOS)
    for scenario in available_scenarios(default_yahpo_data_path()):
        if scenario not in names:
            names.append(scenario)
    return names


def get_recipes() -> List[YahpoRecipe]:
    return [YahpoRecipe(scenario) for scenario in _registered_scenarios()]
