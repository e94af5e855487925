from .backbones import *  # noqa: F401,F403
from .deploy import moganet_configs, switch_model_to_deploy  # noqa: F401
from .heads import head_takes_data_samples  # noqa: F401
from .layers import *  # noqa: F401,F403
