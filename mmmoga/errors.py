"""Every error mmmoga raises on purpose, in one hierarchy.

Each is a mistake in what the user gave (a config, a checkpoint, a data set)
or a training run that cannot go on, described in one line. The tools print
any :class:`MmmogaError` as ``error: <message>`` without a traceback
(:func:`mmmoga.apis.run.cli.report_errors`); anything else is a bug and
keeps its traceback. The classes also derive from the built-in error a
caller outside mmmoga would expect (``ValueError`` for a bad value,
``RuntimeError`` for a run that stopped), so ``except ValueError`` keeps
working.
"""
import pickle


class MmmogaError(Exception):
    """A known mistake, reported by the tools in one line."""


class ConfigCheckError(MmmogaError, ValueError):
    """A config names something that does not exist or does not fit."""


class DatasetNotFoundError(ConfigCheckError, FileNotFoundError):
    """A dataset path of a config does not exist."""


class DatasetLayoutError(ConfigCheckError):
    """A dataset's files are not laid out, or do not hold, what its config
    needs: a JSON without categories, a label map of the wrong size."""


class CheckpointError(MmmogaError, ValueError):
    """A checkpoint file cannot be used: missing, unreadable, or holding
    something other than what was asked for."""


class CheckpointLayoutError(CheckpointError):
    """A checkpoint's tensors do not fit the model they are meant for."""


class UnsafeCheckpointError(CheckpointError, pickle.UnpicklingError):
    """A checkpoint needs Python objects outside the allow-list to load."""


class ConversionError(MmmogaError, ValueError):
    """A model that a conversion cannot take (weights that do not fit
    MogaNet's reparameterized structure, a model that cannot be
    reparameterized, a graph whose outputs the run time cannot read), or a
    converted model (reparameterized or exported) whose outputs differ from
    the original's."""


class BadDataError(MmmogaError, RuntimeError):
    """Training met too many bad samples, or testing met one."""


class NonFiniteLossError(MmmogaError, RuntimeError):
    """Training produced a NaN or infinite loss."""


__all__ = [
    'MmmogaError', 'ConfigCheckError', 'DatasetNotFoundError',
    'DatasetLayoutError',
    'CheckpointError', 'CheckpointLayoutError', 'UnsafeCheckpointError',
    'ConversionError', 'BadDataError', 'NonFiniteLossError'
]

# The name before ConversionError, kept for one release for code that
# catches it.
DeployLayoutError = ConversionError
