from .backbones import *  # noqa: F401,F403
from .heads import head_takes_data_samples  # noqa: F401
from .layers import *  # noqa: F401,F403
from .reparameterization import moganet_configs, reparameterize_model  # noqa: F401
