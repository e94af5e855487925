import os
import os.path as osp
import re
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

REPO = osp.dirname(osp.abspath(__file__))

# What OpenMMLab packages carry under <package>/.mim for `mim` and for
# mmengine's `package::config` lookup: the configs (with their metafiles),
# the tools and the model index, at the paths they have in the repository.
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')
IGNORED_IN_COPIES = shutil.ignore_patterns('__pycache__', '*.pyc')


def read_version():
    namespace = {}
    with open(osp.join(REPO, 'mmmoga', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def read_requirements(name, leave_out=()):
    """The requirement lines of requirements/<name>.txt, so that the extras
    and `make install` share one set of pins."""
    with open(osp.join(REPO, 'requirements', f'{name}.txt')) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [
        line for line in lines
        if line and not any(line.startswith(skip) for skip in leave_out)
    ]


def requirement_of(name, package):
    """The one line of requirements/<name>.txt that pins `package`."""
    [line] = [
        line for line in read_requirements(name)
        if re.split(r'[\s<>=!~;\[]', line)[0] == package
    ]
    return line


def place_mim_items(mim_dir, link):
    """Puts MIM_ITEMS under mim_dir: links to the repository's files for an
    editable install (an edited config takes effect at once), copies for a
    wheel or any other build."""
    os.makedirs(mim_dir, exist_ok=True)
    for item in MIM_ITEMS:
        source = osp.join(REPO, item)
        target = osp.join(mim_dir, item)
        if osp.islink(target) or osp.isfile(target):
            os.remove(target)
        elif osp.isdir(target):
            shutil.rmtree(target)
        if link:
            os.symlink(osp.relpath(source, mim_dir), target)
        elif osp.isdir(source):
            shutil.copytree(source, target, ignore=IGNORED_IN_COPIES)
        else:
            shutil.copyfile(source, target)


class BuildPyWithMim(build_py):
    """build_py that also places the `.mim` items of the package (OpenMMLab's
    setup.py files do this by reading sys.argv; build_py's editable_mode
    says the same thing for both the PEP 660 and the legacy paths)."""

    def run(self):
        super().run()
        if self.editable_mode:
            place_mim_items(osp.join(REPO, 'mmmoga', '.mim'), link=True)
        else:
            place_mim_items(
                osp.join(self.build_lib, 'mmmoga', '.mim'), link=False)


# mmcv 2.x with its compiled ops is deliberately not a requirement: pip can
# only build it from source without torch visible, which gives a package
# without ops (OpenMMLab's own packages leave it out for the same reason).
# mmpose is not in `pose` because it requires chumpy, which does not build on
# Python >= 3.11; install it with `pip install --no-deps mmpose==1.3.2` and
# the extra brings the rest. openmim likewise: it requires opendatalab, which
# it never imports, and whose own requirements pin old requests and rich.
# `pip install mmmoga` needs torch alone (mmmoga.core). Each task extra
# brings mmengine and its library, safetensors for .safetensors weights and
# numpy 1, which mmcv 2.1 and xtcocotools (mmpose) are built against.
openmmlab_core = [
    requirement_of('openmmlab', 'mmengine'), 'numpy<2',
    requirement_of('timm', 'safetensors')
]
task_extras = {
    'det': [*openmmlab_core, requirement_of('openmmlab', 'mmdet')],
    'seg': [*openmmlab_core, requirement_of('openmmlab', 'mmsegmentation')],
    'cls': [*openmmlab_core, requirement_of('openmmlab', 'mmpretrain')],
    'pose': [*openmmlab_core,
             *read_requirements('mmpose', leave_out=('mmpose', ))],
}
# The OneDL forks install the same import names (mmdet, mmseg, ...) under
# other distribution names, so pip cannot tell that a fork satisfies `mmdet`:
# `mmmoga[det]` beside onedl-mmdetection would install upstream mmdet over
# it. Their extras name the forks instead (and no numpy 1: onedl-mmseg needs
# numpy 2). No MMPose fork exists, hence no onedl-pose.
onedl_core = [
    requirement_of('onedl', 'onedl-mmengine'),
    requirement_of('timm', 'safetensors')
]
onedl_task_extras = {
    'onedl-det': [*onedl_core, requirement_of('onedl', 'onedl-mmdetection')],
    'onedl-seg': [*onedl_core,
                  requirement_of('onedl', 'onedl-mmsegmentation')],
    'onedl-cls': [*onedl_core, requirement_of('onedl', 'onedl-mmpretrain')],
}
extras = dict(
    task_extras,
    **onedl_task_extras,
    timm=read_requirements('timm'),
    deploy=read_requirements('deploy'),
    app=read_requirements('app'),
    mim=read_requirements('mim', leave_out=('openmim', )),
    tests=read_requirements('tests'),
)
for name, tasks in (('all', task_extras), ('onedl-all', onedl_task_extras)):
    extras[name] = sorted({
        line
        for extra in (*tasks, 'timm', 'deploy', 'mim', 'app')
        for line in extras[extra]
    })

setup(
    name='mmmoga',
    version=read_version(),
    description='MogaNet for PyTorch, timm and the OpenMMLab 2.0 stack '
    '(MMDetection, MMSegmentation, MMPose, MMPretrain)',
    long_description=open(osp.join(REPO, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(
        exclude=('tests', 'tests.*', 'configs', 'configs.*', 'tools',
                 'benchmarks')),
    python_requires='>=3.8',
    install_requires=['numpy', 'torch>=2.0'],
    extras_require=extras,
    cmdclass={'build_py': BuildPyWithMim},
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    zip_safe=False,
)
