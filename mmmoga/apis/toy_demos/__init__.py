"""The toy demos (``tools/train_toy.py``, ``make demo*``): a model of each
task trained from scratch on its toy dataset on a CPU, tested against its
target and drawn.

The top room of :mod:`mmmoga.apis`: it trains through
:mod:`mmmoga.apis.run` and writes the box-only demo's config through
:mod:`mmmoga.apis.dataset_config`."""
from .demos import DEMOS, run_demo

__all__ = ['DEMOS', 'run_demo']
