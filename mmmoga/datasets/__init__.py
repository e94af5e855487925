from .checked_dataset import BadDataError, CheckedDataset, bad_data_message

__all__ = ['BadDataError', 'CheckedDataset', 'bad_data_message']
