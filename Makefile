# STACK=onedl: the OneDL forks of the OpenMMLab libraries in .venv-onedl instead of the
# default stack in .venv (docs/installation.md). CI runs the default stack.
STACK ?= default
ifeq ($(STACK),onedl)
VENV ?= .venv-onedl
else ifeq ($(STACK),default)
VENV ?= .venv
else
$(error STACK=$(STACK): the stacks are default and onedl)
endif
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmmoga-install-stamp
INSTALL_INPUTS := tools/install_env.sh tools/check_env.py setup.py $(wildcard requirements/*.txt)

.PHONY: install check-env lint test test-fast test-docs compatibility demo demo-det-boxes demo-seg demo-pose demo-pose-rtm demo-cls bench clean-venv

# The stamp records a successful install; it is redone when any install input changes.
$(STAMP): $(INSTALL_INPUTS)
	STACK=$(STACK) VENV=$(VENV) bash tools/install_env.sh
	touch $(STAMP)

install: $(STAMP)

# The linter (ruff.toml: pyflakes, pycodestyle, isort) over the whole tree.
lint: install
	$(VENV)/bin/ruff check .

ifeq ($(STACK),onedl)
# The OneDL stack (CI runs the default one): the tests not marked slow, then the slow
# ones that train, test and export each task's toy model with the tools. MMPose does
# not import on this stack: tests/conftest.py leaves its tests out and says so.
ONEDL_SLOW_TESTS := tests/test_det_tools.py tests/test_seg_tools.py tests/test_cls_tools.py \
	tests/test_export_onnx.py
test: lint
	$(PY) -m pytest tests -m "not slow"
	$(PY) -m pytest $(ONEDL_SLOW_TESTS) -m slow
else
# Everything: the linter, then every test (slow ones included).
test: lint
	$(PY) -m pytest tests
endif

# The developer loop: the tests not marked slow (pytest.ini).
test-fast: install
	$(PY) -m pytest tests -m "not slow"

# Every shell block of README.md and docs/, the slow ones too (training, the
# demos; docs/architecture.md gives its duration); `make test` runs the
# quick ones.
test-docs: install
	$(PY) -m pytest tests/test_docs.py --docs-slow

# The toy demos: a model learns a toy task on the CPU from scratch and must
# reach its target (tools/train_toy.py). `demo` is the detection one.
demo: install
	$(PY) tools/train_toy.py det

demo-det-boxes: install
	$(PY) tools/train_toy.py det-boxes

demo-seg: install
	$(PY) tools/train_toy.py seg

demo-pose: install
	$(PY) tools/train_toy.py pose

demo-pose-rtm: install
	$(PY) tools/train_toy.py pose-rtm

demo-cls: install
	$(PY) tools/train_toy.py cls

# Speed benchmarks (benchmarks/): ratios measured in one run, printed.
bench: install
	@echo "make bench: five benchmarks, each a few minutes; over 25 minutes in all on 2 CPU cores."
	@echo "Each measurement line starts with how many are done and about how long the rest takes."
	$(PY) benchmarks/backbone_speed.py
	$(PY) benchmarks/detector_latency.py
	$(PY) benchmarks/pose_throughput.py
	$(PY) benchmarks/train_memory.py
	$(PY) benchmarks/compile_speed.py

clean-venv:
	rm -rf $(VENV)

# The compatibility table of docs/installation.md: the toy demos of every task, trained,
# tested and exported on each stack (both installed), then the table written.
compatibility:
	$(MAKE) install STACK=default
	$(MAKE) install STACK=onedl
	.venv/bin/python tools/compatibility.py --stack default
	.venv-onedl/bin/python tools/compatibility.py --stack onedl
	.venv/bin/python tools/compatibility.py --table --update-docs

# Re-runs the environment checks of `make install` on an installed .venv.
check-env: install
	$(PY) tools/check_env.py --stack $(STACK)
