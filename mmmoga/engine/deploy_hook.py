from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS

from ..models import switch_model_to_deploy


@HOOKS.register_module()
class MogaNetDeployHook(Hook):
    """Tests a model of the plain structure in deploy mode.

    ``before_test`` runs after the Runner has loaded the checkpoint
    (``load_from``), so plain weights load into the plain structure as they
    were saved, and every MogaNet is then converted in place by
    :meth:`~mmmoga.models.MogaNet.switch_to_deploy`. ``tools/test.py
    --deploy`` adds it; in a config, ``custom_hooks=[dict(
    type='MogaNetDeployHook')]``. Only the test loop is affected: validation
    during training keeps the trainable model.
    """

    def before_test(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        names = switch_model_to_deploy(model)
        runner.logger.info('MogaNet deploy mode: folded '
                           + ', '.join(name or 'the model' for name in names))
