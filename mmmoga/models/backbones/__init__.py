from mmmoga.core import is_reparameterized_state_dict

from .moganet import MogaNet

__all__ = ['MogaNet', 'is_reparameterized_state_dict']
