from .backbones import *  # noqa: F401,F403
from .heads import head_takes_data_samples  # noqa: F401
from .layers import *  # noqa: F401,F403
from .reparameterization import moganet_configs, reparameterize_model  # noqa: F401


def __getattr__(name):
    # The name before reparameterize_model, kept for one release.
    if name == 'switch_model_to_deploy':
        import warnings
        warnings.warn(
            'mmmoga.models.switch_model_to_deploy is now '
            'reparameterize_model; the old name goes in the next release',
            DeprecationWarning, stacklevel=2)
        return reparameterize_model
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
