from .moganet import MogaNet
from .moganet_reparameterized import is_reparameterized_state_dict

__all__ = ['MogaNet', 'is_reparameterized_state_dict']
