"""tools/convert_checkpoint.py and the conversions behind it: checkpoints
in each official layout, made from our own models with random values,
convert, load strictly and give the same outputs."""
import argparse
import fractions
import sys
from collections import OrderedDict

import pytest
import torch

from helpers import build_from_config, run_tool
from mmmoga.checkpoint import convert_official_checkpoint
from mmmoga.checkpoint.official import check_against_model, downstream_to_model
from mmmoga.errors import CheckpointLayoutError

DET = 'configs/det/mask_rcnn_moga_xt.py'
SEG = 'configs/seg/upernet_moga_xt.py'
POSE = 'configs/pose/topdown_heatmap_moga_xt_256x192.py'
CLS = 'configs/cls/moganet_xt_in1k.py'

# Names the old libraries gave these tensors (MMDetection 2.28, MMSegmentation
# 0.30, MMPose 0.29 source), written out rather than derived from the
# converter's table, so that a wrong table fails here.
OFFICIAL_KEYS = {
    DET: ['neck.lateral_convs.0.conv.weight', 'rpn_head.rpn_conv.weight',
          'rpn_head.rpn_cls.weight', 'rpn_head.rpn_reg.weight',
          'roi_head.bbox_head.shared_fcs.1.weight',
          'roi_head.bbox_head.fc_cls.weight',
          'roi_head.bbox_head.fc_reg.weight',
          'roi_head.mask_head.convs.3.conv.weight',
          'roi_head.mask_head.upsample.weight',
          'roi_head.mask_head.conv_logits.weight'],
    SEG: ['decode_head.psp_modules.3.1.conv.weight',
          'decode_head.psp_modules.3.1.bn.running_var',
          'decode_head.bottleneck.conv.weight',
          'decode_head.lateral_convs.2.conv.weight',
          'decode_head.fpn_convs.2.conv.weight',
          'decode_head.fpn_bottleneck.bn.weight',
          'decode_head.conv_seg.weight', 'auxiliary_head.convs.0.conv.weight',
          'auxiliary_head.conv_seg.bias'],
    POSE: ['keypoint_head.deconv_layers.0.weight',
           'keypoint_head.deconv_layers.1.running_mean',
           'keypoint_head.deconv_layers.3.weight',
           'keypoint_head.deconv_layers.7.weight',
           'keypoint_head.final_layer.weight',
           'keypoint_head.final_layer.bias'],
}
BACKBONE_KEYS = ['patch_embed1.projection.0.weight',
                 'blocks4.0.attn.value.DW_conv0.weight', 'norm4.weight']


def randomized(state_dict, seed):
    """``state_dict`` with every float tensor moved by a random amount: two
    tensors that a wrong mapping swapped, or BN statistics left at their
    defaults, change the outputs."""
    generator = torch.Generator().manual_seed(seed)
    out = OrderedDict()
    for key, value in state_dict.items():
        if value.is_floating_point():
            noise = torch.rand(value.shape, generator=generator)
            value = value * (1 + 0.2 * noise) + 0.02 * (noise - 0.5)
        out[key] = value
    return out


def mmcv1_checkpoint(state_dict, **meta):
    """What mmcv 1.x's ``save_checkpoint`` wrote for the official code."""
    return dict(meta=dict(mmcv_version='1.7.1', epoch=12, **meta),
                state_dict=state_dict,
                optimizer=dict(state={}, param_groups=[dict(lr=1e-4)]))


def official_layout(config, state_dict):
    """Our model's state dict, named as the library version the official
    MogaNet code ran on named it."""
    if config == POSE:
        state_dict = OrderedDict(
            ('keypoint_' + k if k.startswith('head.') else k, v)
            for k, v in state_dict.items())
    for key in OFFICIAL_KEYS[config]:
        assert key in state_dict, key
    return state_dict


def det_inputs():
    from mmdet.structures import DetDataSample
    sample = DetDataSample(metainfo=dict(
        img_shape=(96, 128), ori_shape=(96, 128), pad_shape=(96, 128),
        scale_factor=(1., 1.), batch_input_shape=(96, 128)))
    return torch.rand(1, 3, 96, 128, generator=torch.Generator().manual_seed(
        0)) * 100, [sample]


def tensors_in(nested):
    """The tensors of nested tuples and lists, in order."""
    if torch.is_tensor(nested):
        return [nested]
    return [t for item in nested for t in tensors_in(item)]


def outputs(config, model):
    """Every head's raw outputs on a fixed input."""
    model.eval()
    with torch.no_grad():
        if config == DET:
            inputs, samples = det_inputs()
            result = model(inputs, samples, mode='tensor')
            feats = model.extract_feat(inputs)
            return tensors_in([result, model.rpn_head(feats)])
        size = (64, 64) if config == SEG else (256, 192)
        inputs = torch.randn(1, 3, *size,
                             generator=torch.Generator().manual_seed(0))
        result = [model(inputs, None, mode='tensor')]
        if config == SEG:
            result.append(model.auxiliary_head(model.extract_feat(inputs)))
        return result


@pytest.mark.parametrize('config,library,meta', [
    (DET, 'mmdet2', dict(mmdet_version='2.28.2', CLASSES=('cat', 'dog'))),
    (SEG, 'mmseg0', dict(mmseg_version='0.30.0', CLASSES=('sky', 'road'),
                         PALETTE=[[0, 0, 255], [128, 64, 128]])),
    (POSE, 'mmpose0', dict(mmpose_version='0.29.0')),
])
def test_downstream_checkpoints_convert_to_the_same_model(config, library,
                                                          meta):
    _, model = build_from_config(config)
    reference = randomized(model.state_dict(), seed=1)
    model.load_state_dict(reference)
    expected = outputs(config, model)
    checkpoint = mmcv1_checkpoint(official_layout(config, reference), **meta)

    model.load_state_dict(randomized(model.state_dict(), seed=2))
    changed = outputs(config, model)
    assert not all(a.shape == b.shape and torch.allclose(a, b)
                   for a, b in zip(changed, expected))

    result = convert_official_checkpoint(checkpoint, model, config)
    assert result.source == library  # told from the keys
    assert result.renamed == sum(k.startswith('keypoint_head.')
                                 for k in checkpoint['state_dict'])
    model.load_state_dict(result.state_dict, strict=True)
    for got, want in zip(outputs(config, model), expected, strict=True):
        torch.testing.assert_close(got, want, atol=0, rtol=0)
    classes = meta.get('CLASSES')
    assert result.dataset_meta == ({} if classes is None else dict(
        classes=list(classes),
        **({'palette': meta['PALETTE']} if 'PALETTE' in meta else {})))

    backbone = convert_official_checkpoint(checkpoint, model, config,
                                           part='backbone')
    assert set(backbone.state_dict) == {
        k for k in model.state_dict() if k.startswith('backbone.')}
    assert backbone.dropped == len(reference) - len(backbone.state_dict)
    assert backbone.dataset_meta == {}


def test_pose_extra_convs_split_off_the_final_layer():
    """MMPose 0.x kept extra convs and the final conv in ``final_layer.N``;
    1.x's HeatmapHead has ``conv_layers.N`` and ``final_layer``."""
    from mmpose.registry import MODELS
    head = MODELS.build(dict(
        type='HeatmapHead', in_channels=8, out_channels=17,
        deconv_out_channels=(8, ), deconv_kernel_sizes=(4, ),
        conv_out_channels=(8, 8), conv_kernel_sizes=(3, 1)))
    ours = {'head.' + k: v for k, v in head.state_dict().items()}
    old = {'keypoint_head.' + k: v for k, v in head.state_dict().items()
           if not k.startswith(('conv_layers.', 'final_layer.'))}
    # Two conv-BN-ReLU triples (indices 0-5), then the final conv at 6.
    for index, part in enumerate(['0', '1', '2', '3', '4', '5']):
        for name, value in head.conv_layers[index].state_dict().items():
            old[f'keypoint_head.final_layer.{part}.{name}'] = value
    old['keypoint_head.final_layer.6.weight'] = head.final_layer.weight
    old['keypoint_head.final_layer.6.bias'] = head.final_layer.bias
    converted = downstream_to_model(old, 'mmpose0')
    check_against_model(converted, ours, 'HeatmapHead')
    assert torch.equal(converted['head.final_layer.weight'],
                       head.final_layer.weight)
    assert torch.equal(converted['head.conv_layers.3.weight'],
                       head.conv_layers[3].weight)


def test_a_mismatch_is_one_error_listing_the_keys():
    expected = {'backbone.a': torch.zeros(2), 'backbone.b': torch.zeros(3),
                'head.c': torch.zeros(1)}
    got = {'backbone.a': torch.zeros(2), 'backbone.b': torch.zeros(4),
           'neck.d': torch.zeros(1)}
    with pytest.raises(CheckpointLayoutError) as error:
        check_against_model(got, expected, 'x.py')
    message = str(error.value)
    assert "do not fit x.py" in message
    assert 'keys missing (1): head.c;' in message
    assert 'keys left over (not in the model) (1): neck.d;' in message
    assert 'keys of another shape (1): backbone.b (4,) (model: (3,))' \
        in message


@pytest.fixture(scope='module')
def classifier():
    return build_from_config(CLS)[1]


def official_imagenet(state_dict, ema_state_dict):
    """An official ImageNet training checkpoint (timm's trainer, DDP)."""
    def official(sd):
        return OrderedDict(
            ('module.' + (k[len('backbone.'):] if k.startswith('backbone.')
                          else 'head.' + k[len('head.fc.'):]), v)
            for k, v in sd.items())
    checkpoint = dict(epoch=299, arch='moganet_xtiny',
                      state_dict=official(state_dict),
                      state_dict_ema=official(ema_state_dict),
                      optimizer=dict(state={}, param_groups=[]),
                      args=argparse.Namespace(model='moganet_xtiny'))
    assert all(k in checkpoint['state_dict']
               for k in ('module.head.weight', *(
                   'module.' + k for k in BACKBONE_KEYS)))
    return checkpoint


@pytest.mark.slow
def test_tool_converts_imagenet_ema_weights(classifier, tmp_path):
    plain = randomized(classifier.state_dict(), seed=3)
    ema = randomized(classifier.state_dict(), seed=4)
    src, dst = tmp_path / 'moganet_xt.pth.tar', tmp_path / 'cls.pth'
    torch.save(official_imagenet(plain, ema), src)
    folder = tmp_path / 'moganet_xtiny_in1k'
    result = run_tool(sys.executable, 'tools/convert_checkpoint.py',
                      str(src), str(dst), '--config', CLS, '--weights', 'ema',
                      '--hf-dir', str(folder))
    assert result.returncode == 0, result.stderr
    assert f'converted for {CLS} (ImageClassifier)' in result.stdout
    assert 'official ImageNet (timm trainer) checkpoint, ema weights' \
        in result.stdout
    written = torch.load(dst, weights_only=True)
    classes = written['meta']['dataset_meta']['classes']
    assert classes[0] == 'tench, Tinca tinca'
    classifier.load_state_dict(written['state_dict'], strict=True)
    for key, value in ema.items():
        assert torch.equal(written['state_dict'][key], value), key

    # The Hub folder: timm's MogaNet-XT with ImageNet's preprocessing and
    # class names, holding the EMA weights.
    import timm
    timm_model = timm.create_model(f'local-dir:{folder}', pretrained=True)
    config = timm_model.pretrained_cfg
    assert (config['architecture'], config['input_size'],
            config['interpolation']) == ('moganet_xtiny', [3, 224, 224],
                                         'bicubic')
    assert config['label_names'][0] == 'tench, Tinca tinca'
    torch.testing.assert_close(timm_model.blocks3[2].mlp.fc1.weight,
                               ema['backbone.blocks3.2.mlp.fc1.weight'])

    backbone = tmp_path / 'backbone.pth'
    result = run_tool(sys.executable, 'tools/convert_checkpoint.py',
                      str(src), str(backbone), '--config', CLS,
                      '--part', 'backbone')
    assert result.returncode == 0, result.stderr
    assert '2 head tensors left out' in result.stdout
    from mmmoga.models import MogaNet
    model = MogaNet(arch='xtiny', out_indices=(3, ), init_cfg=dict(
        type='Pretrained', checkpoint=str(backbone), prefix='backbone.'))
    model.init_weights()
    for key, value in model.state_dict().items():
        assert torch.equal(value, plain['backbone.' + key]), key


@pytest.mark.slow
@pytest.mark.pose
def test_tool_refuses_a_mismatch_without_writing(tmp_path):
    """A pose checkpoint converted for a detector: one error line listing
    keys, no traceback, no file."""
    _, model = build_from_config(POSE)
    src, dst = tmp_path / 'pose.pth', tmp_path / 'out.pth'
    torch.save(mmcv1_checkpoint(official_layout(POSE, model.state_dict())),
               src)
    result = run_tool(sys.executable, 'tools/convert_checkpoint.py',
                      str(src), str(dst), '--config', DET)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f'error: the converted weights do not fit {DET} '
                            '(MMPose 0.x -> model): ')
    assert 'keys missing (' in error and 'keys left over (' in error
    assert not dst.exists()


@pytest.mark.slow
def test_tool_loads_unknown_globals_only_with_trust(classifier, tmp_path):
    src, dst = tmp_path / 'odd.pth.tar', tmp_path / 'cls.pth'
    checkpoint = official_imagenet(classifier.state_dict(),
                                   classifier.state_dict())
    checkpoint['args'].smoothing = fractions.Fraction(1, 10)
    torch.save(checkpoint, src)
    refused = run_tool(sys.executable, 'tools/convert_checkpoint.py',
                       str(src), str(dst), '--config', CLS)
    assert refused.returncode == 1 and 'Traceback' not in refused.stderr
    assert 'it needs fractions.Fraction, which is not allow-listed' in \
        refused.stderr and '--trust' in refused.stderr
    assert not dst.exists()
    trusted = run_tool(sys.executable, 'tools/convert_checkpoint.py',
                       str(src), str(dst), '--config', CLS, '--trust')
    assert trusted.returncode == 0, trusted.stderr
    assert 'warning: --trust' in trusted.stdout and dst.exists()


def test_ema_of_a_downstream_checkpoint_is_refused(classifier):
    checkpoint = mmcv1_checkpoint(OrderedDict(
        (k, v) for k, v in classifier.state_dict().items()
        if k.startswith('backbone.')))
    checkpoint['state_dict']['decode_head.conv_seg.weight'] = torch.zeros(1)
    with pytest.raises(CheckpointLayoutError,
                       match='MMSegmentation 0.x checkpoint; EMA'):
        convert_official_checkpoint(checkpoint, classifier, CLS,
                                    weights='ema')
