#!/usr/bin/env bash
# Installs an OpenMMLab 2.0 stack and mmmoga into a virtual environment: the default stack
# (upstream OpenMMLab's last releases, .venv) or, with STACK=onedl, the OneDL forks
# (.venv-onedl; docs/installation.md compares the two).
#
# The order matters:
#   1. torch + torchvision (the standard build, pinned with `===`),
#   2. the build requirements of mmcv (numpy, setuptools<81, wheel, ninja),
#   3. mmcv 2.1.0 (onedl-mmcv 2.3.6), built from source with its C++/CUDA ops and WITHOUT
#      build isolation (an isolated build cannot see torch and silently ships no
#      `mmcv._ext`); the built wheel is cached per (python, torch, ops flavour) so later
#      installs take seconds,
#   4. mmengine, mmdet, mmseg, mmpretrain (the forks of them), then mmpose without chumpy
#      (default stack only: mmpose 1.3.2 refuses the fork's mmcv),
#   5. the ONNX exporter, runtimes and NNCF (requirements/deploy.txt), openmim without
#      opendatalab, then mmmoga itself in editable mode with its extras (Gradio for the
#      web page among them),
#   6. Debian's chromium and chromedriver for the web page's browser test,
#   7. tools/check_env.py, which fails loudly if any part of the stack does not import.
#
# Environment variables:
#   STACK              default or onedl (default: default)
#   VENV               where the environment lives (default: .venv, .venv-onedl)
#   PYTHON             interpreter used to create it (default: python3)
#   MMMOGA_WHEEL_CACHE directory for built mmcv wheels (default: ~/.cache/mmmoga/wheels)
#   FORCE_CUDA=1       build mmcv's CUDA ops even where no GPU is visible (read by mmcv)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nmake install FAILED: %s\n' "$*" >&2; exit 1; }

# What differs between the stacks: the constraints, mmcv's distribution and version, the
# libraries' requirements, whether mmpose is installed and the extras mmmoga is installed with.
stack=${STACK:-default}
case "$stack" in
    default)
        default_venv=.venv
        constraints="$repo_root/requirements/constraints.txt"
        mmcv_dist=mmcv mmcv_version=2.1.0
        libraries=requirements/openmmlab.txt
        with_mmpose=1 extras=all,tests ;;
    onedl)
        default_venv=.venv-onedl
        constraints="$repo_root/requirements/constraints-onedl.txt"
        mmcv_dist=onedl-mmcv mmcv_version=2.3.6
        libraries=requirements/onedl.txt
        with_mmpose=0 extras=onedl-all,tests ;;
    *) fail "STACK=$stack: the stacks are default and onedl" ;;
esac
venv=${VENV:-$default_venv}
python_bin=${PYTHON:-python3}
wheel_cache=${MMMOGA_WHEEL_CACHE:-$HOME/.cache/mmmoga/wheels}
# The wheel's file name spells the distribution with underscores.
mmcv_wheel_glob="${mmcv_dist//-/_}-$mmcv_version-*.whl"

if [ ! -x "$venv/bin/python" ]; then
    step "creating virtual environment $venv"
    "$python_bin" -m venv "$venv" || fail "could not create $venv with $python_bin"
fi
py="$repo_root/$venv/bin/python"
pip_install() { "$py" -m pip install --disable-pip-version-check -c "$constraints" "$@"; }

step "build tools (pip, numpy, setuptools<81, wheel, ninja) on the $stack stack"
pip_install -q --upgrade pip -r requirements/build.txt || fail "could not install build tools"

step "torch and torchvision"
pip_install -q -r requirements/torch.txt || fail "could not install torch/torchvision"

# The cache key names everything the compiled extension depends on.
ops_flavour=$("$py" - <<'EOF'
import os, sys, torch
cuda = torch.cuda.is_available() or os.environ.get('FORCE_CUDA') == '1'
tag = f'cu{torch.version.cuda}' if cuda and torch.version.cuda else 'cpu'
print(f'py{sys.version_info.major}{sys.version_info.minor}-torch{torch.__version__}-{tag}')
EOF
)
cache_dir="$wheel_cache/$ops_flavour"

mmcv_ok() {
    "$py" -c "import mmcv, mmcv.ops; from mmcv.ops import nms; assert mmcv.__version__ == '$mmcv_version'" \
        >/dev/null 2>&1
}

if mmcv_ok; then
    step "$mmcv_dist $mmcv_version with ops already installed"
else
    cached=$(ls "$cache_dir"/$mmcv_wheel_glob 2>/dev/null | head -n 1 || true)
    if [ -z "$cached" ]; then
        step "building $mmcv_dist $mmcv_version with ops for $ops_flavour (10 to 20 minutes on 2 cores)"
        mkdir -p "$cache_dir"
        build_dir=$(mktemp -d)
        MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} "$py" -m pip wheel --no-build-isolation \
            --no-deps -c "$constraints" -w "$build_dir" "$mmcv_dist==$mmcv_version" \
            || fail "building $mmcv_dist $mmcv_version from source failed (see the compiler output above)"
        mv "$build_dir"/$mmcv_wheel_glob "$cache_dir"/
        rm -rf "$build_dir"
        cached=$(ls "$cache_dir"/$mmcv_wheel_glob | head -n 1)
    else
        step "reusing cached $mmcv_dist wheel $cached"
    fi
    pip_install -q "$cached" || fail "could not install $cached"
    if ! mmcv_ok; then
        rm -f "$cached"
        fail "mmcv installed but 'from mmcv.ops import nms' fails: the wheel has no mmcv._ext. \
The cached wheel was removed; rerun make install to rebuild it."
    fi
fi

step "mmengine, mmdet, mmsegmentation, mmpretrain ($libraries)"
pip_install -q -r "$libraries" || fail "could not install $libraries"

if [ "$with_mmpose" = 1 ]; then
    step "mmpose (without chumpy) and its runtime dependencies"
    grep -v '^mmpose' requirements/mmpose.txt | pip_install -q -r /dev/stdin \
        || fail "could not install mmpose's dependencies"
    pip_install -q --no-deps "$(grep '^mmpose' requirements/mmpose.txt)" || fail "could not install mmpose"
else
    step "no mmpose on the $stack stack (mmpose 1.3.2 requires mmcv < 2.2.0; no fork is published)"
fi

step "ONNX export, runtimes and quantization (onnx, onnxscript, onnxruntime, openvino, nncf)"
pip_install -q -r requirements/deploy.txt || fail "could not install requirements/deploy.txt"

step "openmim (without opendatalab) and what its commands import"
grep -v '^openmim' requirements/mim.txt | pip_install -q -r /dev/stdin \
    || fail "could not install openmim's dependencies"
pip_install -q --no-deps "$(grep '^openmim' requirements/mim.txt)" || fail "could not install openmim"

# The same extras a user names (setup.py reads them from requirements/): everything is
# installed by now, so pip only checks them; the editable install links configs, tools
# and the model index under mmmoga/.mim, where mim and mmengine look for them.
step "mmmoga (editable) with the extras $extras"
pip_install -q --no-build-isolation -e ".[$extras]" || fail "could not install mmmoga"

# tests/test_app.py opens the web page in a real browser: Debian's chromium and its
# driver, from the distribution's package index (nothing is downloaded at run time).
step "chromium and chromedriver for the web page's browser test (apt-get, where missing)"
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    echo "already installed: $(chromium --version 2>/dev/null | head -n 1)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    { apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver >/dev/null; }; } \
        || fail "apt-get could not install chromium and chromium-driver"
else
    echo "warning: chromium and chromedriver are missing and this is not a root shell with"
    echo "apt-get; tests/test_app.py fails until they are installed (apt-get install chromium"
    echo "chromium-driver)"
fi

step "verifying the environment"
"$py" tools/check_env.py --stack "$stack" || fail "the environment check failed (reason above)"
