from .moganet import MogaNet
from .moganet_deploy import is_deployed_state_dict

__all__ = ['MogaNet', 'is_deployed_state_dict']
