"""The toy demos (``tools/train_toy.py``, ``make demo*``): a model of each
task trained from scratch on its toy dataset on a CPU, tested against its
target and drawn.

The top room of :mod:`mmmoga.apis`: it trains through
:mod:`mmmoga.apis.run`, writes the own-data demos' configs through
:mod:`mmmoga.apis.dataset_config` and draws through
:mod:`mmmoga.apis.pictures`."""
from .demos import DEMOS, TrainedDemo, run_demo, trained_demos

__all__ = ['DEMOS', 'TrainedDemo', 'run_demo', 'trained_demos']
