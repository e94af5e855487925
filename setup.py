import os.path as osp

from setuptools import find_packages, setup


def read_version():
    namespace = {}
    with open(osp.join(osp.dirname(__file__), 'mmmoga', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmmoga',
    version=read_version(),
    description='MogaNet backbones for the OpenMMLab 2.0 stack '
    '(MMDetection, MMSegmentation, MMPose, MMPretrain)',
    long_description=(open('README.md').read()
                      if osp.exists('README.md') else ''),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.8',
    # Only what pip can resolve safely; torch, mmcv (source build) and the
    # OpenMMLab task libraries are pinned in requirements/ and installed by
    # `make install`.
    install_requires=['mmengine>=0.10.0,<0.11', 'numpy<2', 'torch>=2.0'],
    extras_require={'tests': ['pytest>=7']},
    classifiers=[
        'Programming Language :: Python :: 3',
        'Topic :: Scientific/Engineering :: Artificial Intelligence',
    ],
    zip_safe=False,
)
