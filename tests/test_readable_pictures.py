"""Pictures a person can read (mmmoga.visualization): small images are drawn
enlarged, with sharp labels in proportion; segmentations keep the image
visible and name their classes in a legend that is never cut; classifiers
list their classes beside the image; side-by-side test pictures are
captioned; class activation maps sit beside their image."""
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

from mmmoga.visualization import (
    READABLE_VISUALIZERS,
    captioned_side_by_side,
    enlargement,
    use_readable_visualizer,
)
from mmmoga.visualization.readable import MIN_SHORT_SIDE

pytestmark = pytest.mark.usefixtures('restore_default_scope')

WHITE = 255


def grey_image(height=48, width=64):
    return np.full((height, width, 3), 120, np.uint8)


def dark_columns(picture, threshold=100):
    """Indices of the columns of ``picture`` holding a dark (text) pixel."""
    return np.flatnonzero((picture.max(axis=2) < threshold).any(axis=0))


def test_enlargement_reaches_the_short_side_and_keeps_large_pictures():
    assert enlargement(48, 64) * 48 == MIN_SHORT_SIDE
    assert enlargement(64, 48) * 48 == MIN_SHORT_SIDE
    assert enlargement(600, 800) == 1.0


def test_detections_are_drawn_enlarged_with_labels_in_proportion():
    from mmdet.structures import DetDataSample

    from mmmoga.visualization.det_drawing import ReadableDetLocalVisualizer
    sample = DetDataSample()
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[8., 8., 40., 30.]]), scores=torch.tensor([0.9]),
        labels=torch.tensor([0]),
        masks=torch.zeros((1, 48, 64), dtype=torch.bool))
    visualizer = ReadableDetLocalVisualizer(name='readable_det_test')
    visualizer.dataset_meta = dict(classes=('circle', ), palette=[(220, 20,
                                                                   60)])
    visualizer.add_datasample('image', grey_image(), sample, draw_gt=False,
                              pred_score_thr=0.5)
    drawn = visualizer.get_image()
    scale = MIN_SHORT_SIDE / 48
    # (matplotlib renders whole pixels: 682.7 is 682)
    assert drawn.shape[0] == MIN_SHORT_SIDE
    assert abs(drawn.shape[1] - 64 * scale) < 1
    # The box's left edge is drawn where the box is, enlarged.
    box_colour = (np.abs(drawn.astype(int) - (220, 20, 60)).sum(axis=2) < 60)
    columns = np.flatnonzero(box_colour.any(axis=0))
    assert abs(columns.min() - 8 * scale) < 0.02 * drawn.shape[1]
    # The label is sized to the picture: its text (light on a dark box)
    # is at most 1/18 of the short side high, and more than a few pixels.
    label = (drawn.min(axis=2) > 180) & (drawn.max(axis=2) < 230)
    rows = np.flatnonzero(label[:, :drawn.shape[1] // 2].any(axis=1))
    assert 8 < rows.max() - rows.min() + 1 <= MIN_SHORT_SIDE / 18 + 6


def segmentation_sample(gt_labels, pred_labels, height=48, width=64):
    from mmseg.structures import SegDataSample
    sample = SegDataSample()
    for key, labels in (('gt_sem_seg', gt_labels),
                        ('pred_sem_seg', pred_labels)):
        label_map = torch.full((1, height, width), 255, dtype=torch.int64)
        for index, label in enumerate(labels):
            label_map[0, :, index * 8:(index + 1) * 8] = label
        sample.set_data({key: PixelData(data=label_map)})
    return sample


def test_segmentation_keeps_the_image_visible_and_names_every_class(
        tmp_path):
    from mmmoga.visualization.seg_drawing import ReadableSegLocalVisualizer
    classes = ('circle', 'a class with a rather long name', 'triangle')
    palette = [(255, 0, 0), (0, 0, 255), (0, 255, 0)]
    visualizer = ReadableSegLocalVisualizer(name='readable_seg_test')
    visualizer.dataset_meta = dict(classes=classes, palette=palette)
    image = grey_image()
    # Ground truth holds classes 0 and 1, the prediction 0 and 2.
    out_file = str(tmp_path / 'drawn.png')
    visualizer.add_datasample(
        'image', image, segmentation_sample([0, 1], [0, 2]),
        out_file=out_file)
    drawn = mmcv.imread(out_file, channel_order='rgb')
    height, width = drawn.shape[:2]
    assert height == MIN_SHORT_SIDE and width % 2 == 0
    half = width // 2
    left, right = drawn[:, :half], drawn[:, half:]
    # Both halves list the three classes present in either, so they are
    # equally wide (the captions of tools/test.py split at the middle).
    image_width = round(64 * MIN_SHORT_SIDE / 48)
    np.testing.assert_array_equal(left[:, image_width:] < 100,
                                  right[:, image_width:] < 100)
    # Half opacity: the red of class 0 is mixed with the grey image.
    pixel = left[height // 2, 4].astype(int)
    assert abs(pixel[0] - (120 + 255) / 2) <= 2
    assert abs(pixel[1] - 120 / 2) <= 2
    # The longest name ends before the panel's white margin.
    text_columns = dark_columns(left[:, image_width:])
    assert text_columns.max() < half - image_width - 10
    assert len(text_columns) > 0.4 * (half - image_width)


def test_a_classification_lists_its_best_classes_beside_the_image():
    from mmmoga.visualization.cls_drawing import ReadableUniversalVisualizer
    visualizer = ReadableUniversalVisualizer(name='readable_cls_test')
    classes = [f'class {index}' for index in range(8)]
    scores = np.linspace(0.01, 0.3, 8)
    drawn = visualizer.draw_top_classes(grey_image(64, 64), scores, classes,
                                        top=3)
    assert drawn.shape[0] == MIN_SHORT_SIDE
    assert drawn.shape[1] > MIN_SHORT_SIDE
    panel = drawn[:, MIN_SHORT_SIDE:]
    # Three lines of text, best first, and the panel's margin left white.
    rows = np.flatnonzero((panel.max(axis=2) < 100).any(axis=1))
    lines = np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1)
    assert len(lines) == 3
    assert dark_columns(panel).max() < panel.shape[1] - 10


def test_a_test_picture_is_captioned_above_each_half():
    picture = np.full((512, 1024, 3), 90, np.uint8)
    captioned = captioned_side_by_side(picture)
    band = captioned.shape[0] - 512
    assert band > 20
    np.testing.assert_array_equal(captioned[band:], picture)
    for half in (captioned[:band, :512], captioned[:band, 512:]):
        text = dark_columns(half)
        # Some text, centred in its half.
        assert 40 < len(text) < 480
        assert abs((text.min() + text.max()) / 2 - 256) < 20


@pytest.mark.pose
def test_people_are_drawn_enlarged_with_their_keypoints_scaled():
    from mmpose.structures import PoseDataSample

    from mmmoga.visualization.pose_visualizer import (
        ReadablePoseLocalVisualizer,
    )
    sample = PoseDataSample()
    sample.pred_instances = InstanceData(
        keypoints=np.array([[[16., 12.], [40., 30.]]]),
        keypoint_scores=np.array([[0.9, 0.9]]),
        bboxes=np.array([[4., 4., 60., 44.]]))
    visualizer = ReadablePoseLocalVisualizer(
        name='readable_pose_test', kpt_color=[(255, 0, 0)] * 2,
        link_color=None,
        radius=2)
    visualizer.dataset_meta = dict(
        num_keypoints=2, skeleton_links=[], keypoint_colors=None)
    visualizer.add_datasample('image', grey_image(), sample, draw_gt=False)
    drawn = visualizer.get_image()
    scale = MIN_SHORT_SIDE / 48
    assert drawn.shape[:2] == (MIN_SHORT_SIDE, round(64 * scale))
    red = (drawn[..., 0] > 200) & (drawn[..., 1] < 80)
    rows, columns = np.nonzero(red)
    assert abs(columns.min() - 16 * scale) < 12
    assert abs(rows.max() - 30 * scale) < 12
    # The instance's radius is back to the configured one.
    assert visualizer.radius == 2 and sample.pred_instances.keypoints[0, 0,
                                                                       0] == 16


def test_the_tools_swap_in_the_readable_visualizer_of_each_library():
    cfg = Config(dict(visualizer=dict(type='SegLocalVisualizer', alpha=0.7)))
    use_readable_visualizer(cfg)
    assert cfg.visualizer == dict(type='ReadableSegLocalVisualizer',
                                  alpha=0.7)
    own = Config(dict(visualizer=dict(type='MyVisualizer')))
    use_readable_visualizer(own)
    assert own.visualizer.type == 'MyVisualizer'
    assert set(READABLE_VISUALIZERS) == {
        'DetLocalVisualizer', 'SegLocalVisualizer', 'PoseLocalVisualizer',
        'UniversalVisualizer'
    }


@pytest.mark.usefixtures('restore_default_scope')
@pytest.mark.parametrize('scope,name', [
    ('mmdet', 'ReadableDetLocalVisualizer'),
    ('mmseg', 'ReadableSegLocalVisualizer'),
    ('mmpose', 'ReadablePoseLocalVisualizer'),
    ('mmpretrain', 'ReadableUniversalVisualizer'),
])
def test_each_library_builds_its_readable_visualizer_by_name(scope, name):
    from mmengine.registry import VISUALIZERS, init_default_scope
    init_default_scope(scope)
    visualizer = VISUALIZERS.build(
        dict(type=name, name=f'registry_test_{name}'))
    assert type(visualizer).__name__ == name


def test_a_class_activation_map_sits_beside_its_enlarged_image():
    from mmmoga.apis.analysis.cam import beside_image
    image = grey_image(64, 64)
    cam = np.zeros((4, 4))
    cam[0, 0] = 1.0
    drawn = beside_image(image, cam)
    assert drawn.shape[0] == MIN_SHORT_SIDE
    assert drawn.shape[1] > 2 * MIN_SHORT_SIDE
    np.testing.assert_array_equal(drawn[:, :MIN_SHORT_SIDE], 120)
    # The hot corner of the map is drawn over the right-hand copy.
    right = drawn[:, -MIN_SHORT_SIDE:].astype(int)
    assert right[10, 10, 2] > right[-10, -10, 2]
