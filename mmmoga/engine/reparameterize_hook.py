"""The test-time reparameterization hook (``tools/test.py --deploy``)."""
import warnings

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ..models import reparameterize_model


@HOOKS.register_module()
class MogaNetReparameterizeHook(Hook):
    """Tests a model of the plain structure reparameterized (MogaNet's
    deploy mode).

    ``before_test`` runs after the Runner has loaded the checkpoint
    (``load_from``), so plain weights load into the plain structure as they
    were saved, and every MogaNet is then converted in place by
    :meth:`~mmmoga.models.MogaNet.switch_to_deploy`. ``tools/test.py
    --deploy`` adds it; in a config, ``custom_hooks=[dict(
    type='MogaNetReparameterizeHook')]``. Only the test loop is affected:
    validation during training keeps the trainable model.
    """

    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        names = reparameterize_model(model)
        runner.logger.info('MogaNet deploy mode: folded '
                           + ', '.join(name or 'the model' for name in names))


@HOOKS.register_module()
class MogaNetDeployHook(MogaNetReparameterizeHook):
    """The hook's old name: configs that ``tools/test.py --deploy``
    dumped into work dirs name it. Kept for one release."""

    def __init__(self):
        super().__init__()
        warnings.warn(
            'MogaNetDeployHook is now MogaNetReparameterizeHook; the old '
            'name goes in the next release', DeprecationWarning,
            stacklevel=2)
