"""MogaNet is registered once and builds from every OpenMMLab library."""
import subprocess
import sys
import textwrap

import pytest
from mmengine.registry import MODELS as ROOT_MODELS

import mmmoga
from helpers import SMALL_ARCH, missing_task_libraries
from mmmoga.tasks import TASKS_BY_SCOPE

LIBRARIES = ['mmdet', 'mmseg', 'mmpose', 'mmpretrain']


def test_registered_once_in_the_root_registry():
    assert ROOT_MODELS.get('MogaNet') is mmmoga.MogaNet
    assert ROOT_MODELS.get('LN2d') is mmmoga.LayerNorm2d


@pytest.mark.parametrize('library', LIBRARIES)
def test_library_registries_build_moganet(library):
    registry = __import__(f'{library}.registry',
                          fromlist=['MODELS']).MODELS
    assert 'MogaNet' not in registry.module_dict  # found through the parent
    model = registry.build(
        dict(type='MogaNet', arch=dict(SMALL_ARCH), out_indices=(3, )))
    assert isinstance(model, mmmoga.MogaNet)
    assert model.out_indices == [3]


def test_unknown_key_in_a_config_is_an_error():
    from mmdet.registry import MODELS
    with pytest.raises(TypeError, match='frozen_stage'):
        MODELS.build(dict(type='MogaNet', arch='t', frozen_stage=1))


def test_the_reparameterize_hook_builds_by_its_old_name_with_a_warning():
    """MogaNetDeployHook, the hook's name before the rename, still builds
    (configs dumped by earlier --deploy runs name it) and says it goes."""
    from mmdet.registry import HOOKS

    from mmmoga.engine import MogaNetReparameterizeHook
    assert isinstance(HOOKS.build(dict(type='MogaNetReparameterizeHook')),
                      MogaNetReparameterizeHook)
    with pytest.warns(DeprecationWarning, match='MogaNetReparameterizeHook'):
        hook = HOOKS.build(dict(type='MogaNetDeployHook'))
    assert isinstance(hook, MogaNetReparameterizeHook)


def test_the_old_python_names_work_for_one_release():
    """The public names from before the reparameterization rename."""
    import mmmoga.apis
    import mmmoga.models
    from mmmoga import errors
    assert errors.DeployLayoutError is errors.ConversionError
    with pytest.warns(DeprecationWarning, match='reparameterize_model'):
        old = mmmoga.models.switch_model_to_deploy
    assert old is mmmoga.models.reparameterize_model
    with pytest.warns(DeprecationWarning, match='load_reparameterized_model'):
        old = mmmoga.apis.load_deployed_model
    assert old is mmmoga.apis.load_reparameterized_model
    with pytest.raises(AttributeError):
        mmmoga.models.switch_everything


@pytest.mark.slow
def test_custom_imports_in_a_fresh_process():
    """The documented usage: nothing imports mmmoga but the config."""
    # The libraries of this stack (no MMPose on the OneDL one).
    libraries = [library for library in LIBRARIES
                 if TASKS_BY_SCOPE[library].name not in
                 missing_task_libraries()]
    script = textwrap.dedent(f"""
        import sys
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        assert 'mmmoga' not in sys.modules
        cfg = Config(dict(
            custom_imports=dict(imports=['mmmoga'],
                                allow_failed_imports=False),
            backbone=dict(type='MogaNet', arch={dict(SMALL_ARCH)!r},
                          conv_norm_cfg=dict(type='LN2d'))))
        from mmengine.utils import import_modules_from_strings
        import_modules_from_strings(**cfg.custom_imports)
        for scope in {libraries!r}:
            init_default_scope(scope)
            registry = __import__(scope + '.registry',
                                  fromlist=['MODELS']).MODELS
            model = registry.build(cfg.backbone)
            print(scope, type(model).__module__, type(model).__name__)
    """)
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines == [f'{lib} mmmoga.models.backbones.moganet MogaNet'
                     for lib in libraries]
