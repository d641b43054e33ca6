"""Entry point PythonBackend starts for each trial: re-creates the tuning
function from its serialized code and calls it with the trial's configuration.

Arguments: ``--tune_function_root`` (folder with ``tune_function.bin``),
``--tune_function_hash`` (its sha256, checked), ``--st_config_json_filename``
and ``--st_checkpoint_dir``. Imports only the standard library.
"""

import argparse
import builtins
import hashlib
import json
import marshal
import sys
import types


def load_function(root: str, expected_hash: str):
    with open(f"{root}/tune_function.bin", "rb") as f:
        payload = f.read()
    digest = hashlib.sha256(payload).hexdigest()
    if digest != expected_hash:
        raise RuntimeError(
            f"{root}/tune_function.bin does not hold the function this trial was started with "
            f"(hash {digest} != {expected_hash})"
        )
    data = marshal.loads(payload)
    if tuple(data["python"]) != tuple(sys.version_info[:2]):
        raise RuntimeError(
            f"the tuning function was serialized by Python {data['python']}, this is {sys.version_info[:2]}"
        )
    fn = types.FunctionType(data["code"], {"__builtins__": builtins, "__name__": "__tune_function__"}, data["name"])
    fn.__defaults__ = data["defaults"]
    fn.__kwdefaults__ = data["kwdefaults"]
    return fn, data["accepts"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tune_function_root", required=True)
    parser.add_argument("--tune_function_hash", required=True)
    parser.add_argument("--st_config_json_filename", required=True)
    parser.add_argument("--st_checkpoint_dir", default=None)
    args, _ = parser.parse_known_args()

    fn, accepts = load_function(args.tune_function_root, args.tune_function_hash)
    with open(args.st_config_json_filename) as f:
        config = json.load(f)
    config["st_checkpoint_dir"] = args.st_checkpoint_dir
    # accepts: the parameter names to pass, or None for a function with **kwargs
    kwargs = config if accepts is None else {k: v for k, v in config.items() if k in accepts}
    fn(**kwargs)


if __name__ == "__main__":
    main()
