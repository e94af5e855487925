"""A checkpoint loaded by the Runner is checked against the model before it
is loaded: mmengine loads non-strictly, so a checkpoint of another model
would otherwise give a plausible-looking result with a warning buried in
the log. A classifier's weights in the official (and timm's) key layout, as
a Hub folder's ``model.safetensors`` holds them, are renamed for
MMPretrain's ``ImageClassifier`` first."""
import re

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.registry import HOOKS

from mmmoga.checkpoint import check_against_model, imagenet_to_classifier
from mmmoga.errors import CheckpointLayoutError
from mmmoga.models import MogaNet, is_reparameterized_state_dict


def _in_imagenet_layout(state_dict) -> bool:
    return 'patch_embed1.projection.0.weight' in state_dict and \
        'head.weight' in state_dict


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Checks that a checkpoint the Runner loads (``load_from``, or a resumed
    one) fills the model exactly: every tensor of the model, each with its
    shape, and nothing left over.

    Args:
        strict: A checkpoint that does not fit is a
            :class:`~mmmoga.errors.CheckpointLayoutError` (testing). If
            False, the mismatch is logged in one line and the Runner loads
            what fits, as mmengine does (fine-tuning from another model).
    """
    priority = 'VERY_HIGH'

    def __init__(self, strict: bool = True):
        self.strict = strict

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state_dict = checkpoint.get('state_dict', checkpoint)
        # What mmengine loads into: the model inside wrappers and TTA
        # models, with a leading 'module.' stripped from the checkpoint.
        model = runner.model
        while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
            model = model.module
        state_dict = {re.sub(r'^module\.', '', key): value
                      for key, value in state_dict.items()}
        if _in_imagenet_layout(state_dict) and 'head.fc.weight' in \
                model.state_dict():
            state_dict = imagenet_to_classifier(state_dict)
            checkpoint['state_dict'] = state_dict
            print_log('the checkpoint is in the official (timm) layout of '
                      'MogaNet classifiers: renamed backbone.* and head.fc.*',
                      logger='current')
        backbones = [m for m in model.modules() if isinstance(m, MogaNet)]
        if backbones and is_reparameterized_state_dict(state_dict) != \
                backbones[0].deploy:
            return  # MogaNet's own loading says which structure to build
        source = runner.cfg.get('load_from') or 'the checkpoint'
        try:
            check_against_model(state_dict, model.state_dict(),
                                target=f'the model of {runner.cfg.filename}',
                                listed=3, weights_name=f'the weights of '
                                f'{source}')
        except CheckpointLayoutError as error:
            if self.strict:
                raise CheckpointLayoutError(
                    f'{error}; pass --allow-partial to go on with the '
                    'tensors that fit') from None
            print_log(f'warning: {error}; loading the tensors that fit',
                      logger='current')
