"""S3 mirror of the repository, against a moto server on 127.0.0.1 that the
library reaches through ``SYNE_TUNE_S3_ENDPOINT_URL``."""

import numpy as np
import pytest

from bbrepo_testutils import small_tabular

pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

from syne_tune.blackbox_repository import load_blackbox  # noqa: E402
from syne_tune.blackbox_repository.blackbox_tabular import serialize  # noqa: E402
from syne_tune.blackbox_repository.errors import CorruptBlackboxError  # noqa: E402
from syne_tune.blackbox_repository.repository import (  # noqa: E402
    download_blackbox,
    upload_blackbox,
)

BUCKET = "bb-test-bucket"


@pytest.fixture(scope="module")
def endpoint():
    """A moto server on a free port of 127.0.0.1."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint, monkeypatch):
    """boto3 client of the server, with dummy credentials; the library is
    pointed at the server, and every test gets an empty bucket ``BUCKET``."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("SYNE_TUNE_S3_ENDPOINT_URL", endpoint)
    import boto3

    client = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    # empty and remove the bucket: the next test starts from nothing
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_upload_then_load_from_s3(tmp_path, s3, monkeypatch):
    local = tmp_path / "local"
    serialize({"t": small_tabular(seed=3)}, local / "bb-s3", metadata={"m": 1})
    uri = upload_blackbox("bb-s3", f"s3://{BUCKET}/repo", repository_path=local)
    assert uri == f"s3://{BUCKET}/repo/bb-s3"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "repo/bb-s3/metadata.json" in keys and "repo/bb-s3/objectives-0.parquet" in keys

    fresh = tmp_path / "fresh"
    monkeypatch.setenv("SYNE_TUNE_BLACKBOX_S3", f"s3://{BUCKET}/repo")
    bbs = load_blackbox("bb-s3", repository_path=fresh)
    np.testing.assert_array_equal(bbs["t"].objectives_evaluations,
                                  small_tabular(seed=3).objectives_evaluations)
    assert bbs["t"].metadata == {"m": 1}
    assert (fresh / "bb-s3" / "metadata.json").exists()


def test_missing_on_s3_returns_false(tmp_path, s3):
    assert download_blackbox("nothing", f"s3://{BUCKET}/repo", repository_path=tmp_path) is False
    assert list(tmp_path.iterdir()) == []


def test_corrupt_object_on_s3_rejected(tmp_path, s3):
    local = tmp_path / "local"
    serialize({"t": small_tabular()}, local / "bb-bad")
    upload_blackbox("bb-bad", f"s3://{BUCKET}/r", repository_path=local)
    key = "r/bb-bad/objectives-0.parquet"
    body = bytearray(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    body[len(body) // 2] ^= 0xFF
    s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(body))
    with pytest.raises(CorruptBlackboxError, match="objectives-0.parquet"):
        download_blackbox("bb-bad", f"s3://{BUCKET}/r", repository_path=tmp_path / "fresh")
    assert not (tmp_path / "fresh" / "bb-bad").exists()


def test_generated_blackbox_is_uploaded(tmp_path, s3):
    from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import BlackboxRecipe
    from syne_tune.blackbox_repository.conversion_scripts.recipes import register_recipe

    class Recipe(BlackboxRecipe):
        def _generate_on_disk(self, target, mirror_path, download_dir):
            serialize({"t": small_tabular()}, target)

    register_recipe(Recipe("s3-generated-test", "test"), overwrite=True)
    load_blackbox("s3-generated-test", repository_path=tmp_path, s3_root=f"s3://{BUCKET}/gen")
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert "gen/s3-generated-test/metadata.json" in keys


def test_copy_of_another_recipe_version_is_converted_again(tmp_path, s3, caplog):
    from syne_tune.blackbox_repository.conversion_scripts.blackbox_recipe import (
        BlackboxRecipe,
        stored_recipe_version,
    )
    from syne_tune.blackbox_repository.conversion_scripts.recipes import register_recipe

    class Recipe(BlackboxRecipe):
        recipe_version = 2

        def _generate_on_disk(self, target, mirror_path, download_dir):
            serialize({"t": small_tabular(seed=5)}, target, metadata={"recipe_version": self.recipe_version})

    # the mirror holds a copy converted by version 1 of the recipe
    old = tmp_path / "old"
    serialize({"t": small_tabular(seed=1)}, old / "s3-version-test", metadata={"recipe_version": 1})
    upload_blackbox("s3-version-test", f"s3://{BUCKET}/v", repository_path=old)
    register_recipe(Recipe("s3-version-test", "test"), overwrite=True)
    local = tmp_path / "local"
    with caplog.at_level("WARNING"):
        bbs = load_blackbox("s3-version-test", repository_path=local, s3_root=f"s3://{BUCKET}/v")
    assert "converted by version 1" in caplog.text
    np.testing.assert_array_equal(bbs["t"].objectives_evaluations, small_tabular(seed=5).objectives_evaluations)
    assert stored_recipe_version(local / "s3-version-test") == 2
    # the mirror now holds the version-2 conversion
    fresh = tmp_path / "fresh"
    assert download_blackbox("s3-version-test", f"s3://{BUCKET}/v", repository_path=fresh)
    assert stored_recipe_version(fresh / "s3-version-test") == 2
