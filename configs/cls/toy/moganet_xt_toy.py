# MogaNet-XT classifying the toy shapes, trained from scratch on
# a CPU in minutes (`make demo-cls`). Only data, input size, schedule and
# what CPU speed forces (no RandAugment, random erasing, Mixup or CutMix;
# three classes) differ from ../moganet_xt_in1k.py; the data and schedule are
# in _base_/toy_cls.py.
_base_ = ['../moganet_xt_in1k.py', './_base_/toy_cls.py']

data_preprocessor = dict(num_classes={{_base_.toy_num_classes}})
model = dict(
    head=dict(num_classes={{_base_.toy_num_classes}}),
    train_cfg=dict(_delete_=True))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = {{_base_.toy_test_dataloader}}
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator

train_cfg = {{_base_.toy_train_cfg}}
optim_wrapper = dict(optimizer={{_base_.toy_optimizer}})
param_scheduler = {{_base_.toy_param_scheduler}}
auto_scale_lr = dict(base_batch_size=32)  # the toy batch
default_hooks = {{_base_.toy_default_hooks}}
randomness = dict(seed=0)
