VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmmoga-install-stamp
INSTALL_INPUTS := tools/install_env.sh tools/check_env.py setup.py $(wildcard requirements/*.txt)

.PHONY: install check-env test demo clean-venv

# The stamp records a successful install; it is redone when any install input changes.
$(STAMP): $(INSTALL_INPUTS)
	bash tools/install_env.sh
	touch $(STAMP)

install: $(STAMP)

test: install
	$(PY) -m pytest tests

demo: install
	$(PY) tools/demo.py

clean-venv:
	rm -rf $(VENV)

# Re-runs the environment checks of `make install` on an installed .venv.
check-env: install
	$(PY) tools/check_env.py
