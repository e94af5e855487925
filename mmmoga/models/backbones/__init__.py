from .moganet import MogaNet
from .moganet_deploy import DeployLayoutError, is_deployed_state_dict

__all__ = ['MogaNet', 'DeployLayoutError', 'is_deployed_state_dict']
