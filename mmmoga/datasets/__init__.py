"""Datasets registered on import: ``CheckedDataset``, which every tool wraps
around each data loader's dataset."""
from .checked_dataset import CheckedDataset, bad_data_message

__all__ = ['CheckedDataset', 'bad_data_message']
