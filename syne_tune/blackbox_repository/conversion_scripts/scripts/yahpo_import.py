"""Recipes ``yahpo-<scenario>``: YAHPO Gym surrogate blackboxes.

The surrogate of a scenario is not tabulated: "generating" the blackbox
copies the scenario's ``model.onnx``, ``config_space.json`` and
``encoding.json`` (and its licence file, if any) from the data mirror
(``<mirror>/yahpo/<scenario>/``; if absent there, the three files are
downloaded from yahpo_data at commit ``efdab90``, checked against their
SHA-256 for the mirrored scenarios) into ``<repository>/yahpo-<scenario>/``
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
from typing import Dict, List, Optional, Tuple

from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
    BlackboxRecipe,
)
from syne_tune.blackbox_repository.conversion_scripts.utils import (
    SourceFile,
    SourceNotFoundError,
    find_or_download,
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


#: slds-lmu/yahpo_data at the commit the data mirror copied (its PROVENANCE.md)
URL_ROOT = "https://raw.githubusercontent.com/slds-lmu/yahpo_data/efdab9072f63bd680396cd4b78b927c4a0caaad3/"

#: SHA-256 of the files of the mirrored scenarios at that commit (computed on
#: the mirrored copies); other scenarios are not checked
SHA256 = {
    "lcbench/model.onnx": "b45c0d85ae39abf8820c8bea5ac82f415763afcbaf3b725e36af452b09cb6dcd",
    "lcbench/config_space.json": "4d1c78a91429b4a37628e13f286cf1abe15f778a09722a4c01714f2d72a8200d",
    "lcbench/encoding.json": "d8af928f412bbeb07e58ecd69877fcab35fbc595333d1c1c3f76120d2f2508da",
    "rbv2_xgboost/model.onnx": "85125b6d97f553d10cd50f9e632e1a3f1ad44bcb00300dd2880d70dfd043d9f3",
    "rbv2_xgboost/config_space.json": "acf4485d314d86801f61b615d64ffea7859c414c363da9e7f943621468ebbda4",
    "rbv2_xgboost/encoding.json": "0bd3cf9a4c9459a3148adf740f20b347fd11a6714f89348f41467a8f1206172a",
    "rbv2_rpart/model.onnx": "af34bb810107fd809bdd74be227685fb2a1c5cb7b1f3c2dde5629e42ef6819f3",
    "rbv2_rpart/config_space.json": "86de5b9c8f9bc2f82eaafa099b9920445ce6edbe56509c9736af71d53ef4a630",
    "rbv2_rpart/encoding.json": "e978cd3de5b8fbad4f7dbb7a15bed94738d37c24a0bfb3cbdf33509ba91df49c",
    "iaml_glmnet/model.onnx": "5c9b1541e37604993098ba23b04695bfe38d009108e9de0a26c3f161265b5a7a",
    "iaml_glmnet/config_space.json": "0ad5fb8f4205f54be13ded2af5f9b34f840914dc0457f1ed6be215b7885fb0f9",
    "iaml_glmnet/encoding.json": "e04ffd8c9bfdcb2e8b9c08c38d828e40d7be3ef90c8895f3e7e84b8b4348c3d1",
}


def scenario_source_files(scenario: str) -> Tuple[SourceFile, ...]:
    """The files of a scenario: in ``<mirror>/yahpo/<scenario>/``, else
    downloaded from yahpo_data."""
    return tuple(
        SourceFile(
            (f"yahpo/{scenario}/{f}",),
            url=URL_ROOT + f"{scenario}/{f}",
            sha256=SHA256.get(f"{scenario}/{f}"),
        )
        for f in _FILES
    )


class YahpoRecipe(BlackboxRecipe):
    """Recipe of ``yahpo-<scenario>`` (see module doc)."""

    def __init__(self, scenario: str):
        if scenario not in SCENARIO_SPECS:
            raise ValueError(
                f"unknown YAHPO scenario {scenario!r}, known: {sorted(SCENARIO_SPECS)}"
            )
        super().__init__(name=PREFIX + scenario, cite_reference=CITATION_YAHPO)
        self.scenario = scenario

    def data_sources(self):
        return [scenario_source_files(self.scenario)]

    def _source_folder(self, mirror_path: Optional[Path], download_dir: Optional[Path] = None) -> Path:
        base = default_yahpo_data_path(mirror_path)
        if base is not None and all((base / self.scenario / f).is_file() for f in _FILES):
            return base / self.scenario
        if download_dir is None:
            spec = scenario_source_files(self.scenario)[0]
            raise SourceNotFoundError(spec.missing_message(self.name, mirror_path, None))
        for spec in scenario_source_files(self.scenario):
            find_or_download(
                self.name, list(spec.relative_paths), spec.url, mirror_path, download_dir,
                sha256=spec.sha256,
            )
        return Path(download_dir)

    def _generate_on_disk(self, target: Path, mirror_path: Optional[Path], download_dir: Path):
        source = self._source_folder(mirror_path, download_dir)
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
