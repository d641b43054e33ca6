"""Run trials on a Ray cluster: :class:`RayBackend` (needs the ``ray`` extra).

``from syne_tune.backend import RayBackend`` imports Ray only when the name
is first used.
"""

from syne_tune.backend.ray_backend.ray_backend import RayBackend

__all__ = ["RayBackend"]
