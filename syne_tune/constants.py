"""Names shared by the tuner, the backends and training scripts.

Keeping them in one place means a results column, a command-line flag and an
environment variable are spelled the same everywhere.
"""

SYNETUNE_FOLDER = "SYNETUNE_FOLDER"
"""Environment variable: root folder for experiment results (default ``~/syne-tune``)."""

ST_CHECKPOINT_DIR = "st_checkpoint_dir"
ST_CONFIG_JSON_FNAME_ARG = "st_config_json_filename"
ST_RESULTS_DATAFRAME_FILENAME = "results.csv.zip"
ST_RESULTS_PARQUET_FILENAME = "results.parquet"
ST_METADATA_FILENAME = "metadata.json"
ST_TUNER_DILL_FILENAME = "tuner.dill"
ST_TUNER_STATE_FILENAME = "tuner_state.json"
ST_REMOTE_UPLOAD_DIR_NAME = "tuner"
"""Folder of the saved tuner in the code of a ``RemoteLauncher`` job."""

ST_TUNER_TIME = "st_tuner_time"
ST_DECISION = "st_decision"
ST_STATUS = "st_status"
ST_INVALID = "st_invalid"
"""Results column: why a result was unusable (its trial failed); absent otherwise."""
ST_TRIAL_ID = "trial_id"
ST_WORKER_ITER = "st_worker_iter"
ST_WORKER_TIMESTAMP = "st_worker_timestamp"
ST_WORKER_TIME = "st_worker_time"
ST_WORKER_COST = "st_worker_cost"
ST_TUNER_CREATION_TIMESTAMP = "st_tuner_creation_timestamp"
ST_TUNER_START_TIMESTAMP = "st_tuner_start_timestamp"

ST_INSTANCE_TYPE = "st_instance_type"
ST_INSTANCE_COUNT = "st_instance_count"

ST_SAGEMAKER_METRIC_TAG = "tune-metric"
"""Prefix of the stdout line a training script prints for each report."""

TUNER_DEFAULT_SLEEP_TIME = 5.0
MAX_METRICS_SUPPORTED_BY_SAGEMAKER = 40
ST_DATETIME_FORMAT = "%Y-%m-%d-%H-%M-%S"
