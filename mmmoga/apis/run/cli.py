"""What every tool shares around its ``main``: known mistakes, and usage
errors, become one line, ``error: <message>``, and a non-zero exit, with no
traceback."""
import argparse
import os
import os.path as osp
import re
import sys
from typing import Callable

from mmengine.config import DictAction

from mmmoga.datasets import bad_data_message
from mmmoga.errors import ConfigCheckError, MmmogaError

# What Python says of a keyword a constructor does not take (mmengine's
# registry prefixes it with the class and file of each enclosing build).
UNEXPECTED_ARGUMENT = re.compile(
    r"(?P<owner>\w+)(?:\.__init__)?\(\) got an unexpected keyword "
    r"argument '(?P<key>\w+)'")


def report_errors(main: Callable[[], object]):
    """Runs ``main``; an :class:`~mmmoga.errors.MmmogaError` exits with its
    message as one line (a bad-data error that a data loader worker raised
    carries the worker's traceback in its text: only its last line is
    kept)."""
    try:
        main()
    except MmmogaError as error:
        message = bad_data_message(error) or str(error)
        raise SystemExit(f'error: {message}') from None
    except OSError as error:
        # A path the user gave that cannot be read or written: a work dir
        # that is a file, a folder without write permission, a full disk.
        if error.filename is None:
            raise
        raise SystemExit(f'error: {error.filename}: '
                         f'{error.strerror or error}') from None
    except TypeError as error:
        # A config key that a module's constructor does not take, found
        # when the Runner builds it.
        unexpected = UNEXPECTED_ARGUMENT.search(str(error))
        if unexpected is None:
            raise
        raise SystemExit(
            f'error: {unexpected["owner"]} got the argument '
            f'{unexpected["key"]!r}, which it does not take: check that '
            'key in the config or --cfg-options') from None


class ToolArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors end in one line starting with
    ``error:``, as the tools' other errors do."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f'error: {message}\n')


class CfgOptionsAction(DictAction):
    """mmengine's ``DictAction`` for ``--cfg-options KEY=VALUE ...``; an item
    that is not of that form is a usage error naming it, not a traceback."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values:
            key, equals, _ = item.partition('=')
            if not equals or not key:
                parser.error(f'{option_string} {item!r}: expected KEY=VALUE, '
                             'e.g. train_cfg.max_epochs=12')
        try:
            super().__call__(parser, namespace, values, option_string)
        except (ValueError, AssertionError, IndexError) as error:
            parser.error(f'{option_string}: cannot read {values}: {error}')


def count_from(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number of at least ``minimum`` (a
    usage error naming the option otherwise)."""

    def count(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'expected a whole number, got {text!r}') from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f'must be at least {minimum}, got {value}')
        return value

    return count


def add_cfg_options_argument(parser: argparse.ArgumentParser):
    """``--cfg-options KEY=VALUE ...``, merged into the config."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        metavar='KEY=VALUE',
        help='override config settings, e.g. '
        'train_dataloader.batch_size=4 optim_wrapper.optimizer.lr=1e-4')


def prepare_output_file(path: str, what: str):
    """Creates the folder of the output file ``path`` (``what`` names it in
    messages, e.g. ``'the ONNX file'``) and checks that the file can be
    written there, before any work is done."""
    folder = osp.dirname(osp.abspath(path))
    if osp.isdir(path):
        raise ConfigCheckError(f'{what} {path} is a directory')
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise ConfigCheckError(f'{what} {path}: cannot create its folder '
                               f'({error.strerror})') from None
    if not os.access(folder, os.W_OK):
        raise ConfigCheckError(f'{what} {path}: its folder {folder} is not '
                               'writable')
