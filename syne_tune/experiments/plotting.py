"""Figures of the experiment views: matplotlib (the ``visual`` extra) is
imported only when a figure is made."""

from __future__ import annotations

from pathlib import Path

__all__ = ["new_figure", "show_or_save"]


def new_figure(figsize: tuple[float, float] | None, to_file: bool):
    """New figure and axes: stand-alone (no pyplot) when saved to a file."""
    try:
        if to_file:
            from matplotlib.figure import Figure

            fig = Figure(figsize=figsize)
            return fig, fig.subplots()
        import matplotlib.pyplot as plt
    except ImportError as ex:
        from syne_tune.try_import import try_import_visual_message

        raise ImportError(try_import_visual_message()) from ex
    return plt.subplots(figsize=figsize)


def show_or_save(fig, figure_path: str | Path | None) -> None:
    """Save ``fig`` to ``figure_path``, or show it (pyplot) if that is ``None``."""
    if figure_path is not None:
        fig.savefig(figure_path)
    else:
        import matplotlib.pyplot as plt

        plt.show()
