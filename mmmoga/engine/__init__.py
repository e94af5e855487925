from .deploy_hook import MogaNetDeployHook

__all__ = ['MogaNetDeployHook']
