from .moganet import MogaNet
from .moganet_deploy import DeployLayoutError

__all__ = ['MogaNet', 'DeployLayoutError']
