"""Prices of SageMaker training instances, and the dollar cost of a job.

:data:`INSTANCE_PRICES` holds on-demand prices in USD per instance-hour of
SageMaker *Training* instances in region us-east-1, as listed on
https://aws.amazon.com/sagemaker/pricing/ in June 2024, rounded to the cent
fraction shown there. Prices differ between regions and change over time:
pass your own table (``instance_prices=`` of
:class:`~syne_tune.backend.sagemaker_backend.SageMakerBackend`), which is
merged over this one. Standard library only.

The cost of a job is ``billable seconds / 3600 * price * instance count``
(:func:`job_cost`); SageMaker reports the billable seconds of a finished job
as ``BillableTimeInSeconds`` (for managed spot training, the seconds actually
billed, at the on-demand price used here).
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["INSTANCE_PRICES", "PRICES_REGION", "PRICES_DATE", "instance_price", "job_cost"]

PRICES_REGION = "us-east-1"
PRICES_DATE = "2024-06"

#: instance type -> on-demand USD per hour (SageMaker Training, us-east-1, June 2024)
INSTANCE_PRICES: dict[str, float] = {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.m5.4xlarge": 0.922,
    "ml.m5.12xlarge": 2.765,
    "ml.m5.24xlarge": 5.53,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.c5.4xlarge": 0.816,
    "ml.c5.9xlarge": 1.836,
    "ml.c5.18xlarge": 3.672,
    "ml.g4dn.xlarge": 0.736,
    "ml.g4dn.2xlarge": 0.94,
    "ml.g4dn.4xlarge": 1.505,
    "ml.g4dn.8xlarge": 2.72,
    "ml.g4dn.12xlarge": 4.89,
    "ml.g4dn.16xlarge": 5.44,
    "ml.g5.xlarge": 1.408,
    "ml.g5.2xlarge": 1.515,
    "ml.g5.4xlarge": 2.03,
    "ml.g5.8xlarge": 3.06,
    "ml.g5.12xlarge": 7.09,
    "ml.g5.48xlarge": 20.36,
    "ml.p3.2xlarge": 3.825,
    "ml.p3.8xlarge": 14.688,
    "ml.p3.16xlarge": 28.152,
    "ml.p4d.24xlarge": 37.688,
}


def instance_price(instance_type: str, prices: Mapping[str, float] | None = None) -> float | None:
    """USD per hour of ``instance_type``.

    Parameters
    ----------
    instance_type
        E.g. ``"ml.g4dn.xlarge"``.
    prices
        Prices that replace or extend :data:`INSTANCE_PRICES`.

    Returns
    -------
    float or None
        The price; ``None`` if the instance type is in neither table.
    """
    if prices is not None and instance_type in prices:
        return float(prices[instance_type])
    return INSTANCE_PRICES.get(instance_type)


def job_cost(
    billable_seconds: float,
    instance_type: str,
    instance_count: int = 1,
    prices: Mapping[str, float] | None = None,
) -> float | None:
    """Dollar cost of ``billable_seconds`` on ``instance_count`` instances.

    Parameters
    ----------
    billable_seconds
        Seconds billed (``BillableTimeInSeconds``) or run so far.
    instance_type, prices
        See :func:`instance_price`.
    instance_count
        Instances of the job.

    Returns
    -------
    float or None
        ``billable_seconds / 3600 * price * instance_count``; ``None`` if the
        price of ``instance_type`` is unknown.
    """
    price = instance_price(instance_type, prices)
    if price is None:
        return None
    return max(0.0, float(billable_seconds)) / 3600.0 * price * int(instance_count)
