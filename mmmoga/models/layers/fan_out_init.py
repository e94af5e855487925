from mmengine.model.weight_init import BaseInit, update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS

from mmmoga.core import fan_out_normal_


@WEIGHT_INITIALIZERS.register_module(name='FanOutNormal')
class FanOutNormalInit(BaseInit):
    """Draws conv weights from N(0, 2 / fan_out), ``fan_out = kh * kw *
    out_channels / groups``; biases are filled with ``bias``
    (:func:`mmmoga.core.fan_out_normal_`, the official initialisation).

    Args:
        layer (str | list[str]): Layer types to initialise.
            Defaults to ``'Conv2d'``.
        bias (float): Value of the biases. Defaults to 0.
    """

    def __init__(self, layer='Conv2d', **kwargs):
        super().__init__(layer=layer, **kwargs)

    def _init(self, module):
        names = {type(module).__name__} | {
            base.__name__ for base in type(module).__mro__}
        if self.wholemodule or names & set(self.layer):
            fan_out_normal_(module, self.bias)

    def __call__(self, module):
        module.apply(self._init)
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self):
        return (f'{self.__class__.__name__}: N(0, 2 / fan_out) per group, '
                f'bias={self.bias}')
