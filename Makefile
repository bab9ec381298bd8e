# Casebook — build, test and demo on a fresh Debian/Ubuntu machine.
#   make demo   sets up, builds, and runs the worked sample end to end
#   make test   sets up, builds, and runs the tests
SHELL := /bin/bash
SWIFT ?= swift
DEMO_DIR ?= demo-output
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libgit2-dev libyaml-dev zlib1g-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libssl-dev pkg-config git poppler-utils
# For tests only: the HTML export is loaded in real headless Chromium and printed to PDF (poppler
# reads it back). Where apt has no chromium (Ubuntu ships it as a snap) those two tests skip.
TEST_APT_PACKAGES := chromium
# For tests only: the zip reader is checked on archives written by python's zipfile and Info-ZIP;
# strace shows which files the executable opens; openssl serves HTTPS with a test CA.
ZIP_TEST_APT_PACKAGES := python3 zip strace openssl
# For tests only: real git servers on 127.0.0.1 for the sync transports (TestSupport's SSHServer,
# SSHAgent; GitHTTPServer needs only python3 and git's http-backend).
SSH_TEST_APT_PACKAGES := openssh-server openssh-client

.PHONY: setup test-setup test-venv build test lint format demo release release-server bench bench-cli bench-tokens bench-server bench-upload clean

# Installs the system libraries (and pdftotext, which reads PDF inputs) with apt when missing.
setup:
	@if ! command -v pkg-config >/dev/null || ! pkg-config --exists libgit2 yaml-0.1 zlib libcmark-gfm libcrypto || ! [ -e /usr/include/cmark-gfm-core-extensions.h ] || ! command -v git >/dev/null || ! command -v pdftotext >/dev/null; then \
	  echo "installing $(APT_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or newer (swift.org)"; exit 1; }

# What only the tests need: Chromium, which loads and prints the HTML export.
test-setup: setup
	@if ! command -v chromium >/dev/null; then \
	  echo "installing $(TEST_APT_PACKAGES) with apt-get (for the HTML export's browser test)"; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_APT_PACKAGES) \
	    || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_APT_PACKAGES); } \
	    || echo "warning: could not install $(TEST_APT_PACKAGES); the Chromium export tests will be skipped"; \
	fi
	@if ! command -v python3 >/dev/null || ! command -v zip >/dev/null || ! command -v strace >/dev/null || ! command -v openssl >/dev/null; then \
	  echo "installing $(ZIP_TEST_APT_PACKAGES) with apt-get (for the zip reader's tests)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(ZIP_TEST_APT_PACKAGES); \
	fi
	@# The package would start sshd as a service: a policy-rc.d that refuses it (where none is set),
	@# so the install passes in a container without systemd; the tests start their own sshd.
	@if ! [ -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null || ! command -v ssh-agent >/dev/null; then \
	  echo "installing $(SSH_TEST_APT_PACKAGES) with apt-get (for the ssh transport's tests)"; \
	  policy=; if ! [ -e /usr/sbin/policy-rc.d ]; then policy=1; printf '#!/bin/sh\nexit 101\n' | $(SUDO) tee /usr/sbin/policy-rc.d >/dev/null && $(SUDO) chmod +x /usr/sbin/policy-rc.d; fi; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SSH_TEST_APT_PACKAGES); status=$$?; \
	  [ -z "$$policy" ] || $(SUDO) rm -f /usr/sbin/policy-rc.d; exit $$status; \
	fi

# For tests only: tiktoken, the reference the token counts are checked against (TokensTests).
# It loads the rank files in Sources/CTokenData; nothing is downloaded but the package itself.
# dulwich, a second git implementation in Python, for the sync transports' parity test.
TIKTOKEN_VERSION := 0.14.0
DULWICH_VERSION := 1.2.21
# The HTTP API's oracles (Tests/CasebookServerTests/ContractTests.swift): the OpenAPI document is
# checked by openapi-spec-validator, responses by jsonschema, and the server fuzzed by schemathesis.
OPENAPI_SPEC_VALIDATOR_VERSION := 0.9.0
JSONSCHEMA_VERSION := 4.26.0
SCHEMATHESIS_VERSION := 4.32.5
VENV := .venv
VENV_STAMP := $(VENV)/.tiktoken-$(TIKTOKEN_VERSION)-dulwich-$(DULWICH_VERSION)-oas-$(OPENAPI_SPEC_VALIDATOR_VERSION)-js-$(JSONSCHEMA_VERSION)-st-$(SCHEMATHESIS_VERSION)
test-venv: $(VENV_STAMP)
$(VENV_STAMP):
	@python3 -c 'import ensurepip' 2>/dev/null || { echo "installing python3-venv with apt-get (for tiktoken)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check tiktoken==$(TIKTOKEN_VERSION) dulwich==$(DULWICH_VERSION) \
	  openapi-spec-validator==$(OPENAPI_SPEC_VALIDATOR_VERSION) jsonschema==$(JSONSCHEMA_VERSION) \
	  schemathesis==$(SCHEMATHESIS_VERSION)
	touch $@

build: setup
	$(SWIFT) build

test: test-setup test-venv lint
	$(SWIFT) build
	$(SWIFT) test

# The formatter's lint, with the settings in .swift-format: any finding fails `make test`.
# `make format` rewrites the files the way the lint wants them.
FORMATTED := Sources Tests Benchmarks/Benchmarks Package.swift Benchmarks/Package.swift
lint:
	$(SWIFT) format lint --strict --recursive $(FORMATTED)

format:
	$(SWIFT) format format --in-place --recursive $(FORMATTED)

demo: build
	bash samples/building-accessibility-upgrade/demo.sh "$(DEMO_DIR)"

# In-process benchmarks (package-benchmark), a separate package so the main build stays quick.
bench: setup
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# The binary to install: .build-static/release/casebook. The Swift runtime and the C++ runtime
# it needs (libstdc++) are linked in statically; libgit2, libyaml and zlib stay the system's
# shared libraries. A linker script named libstdc++.so, found first on the library path, points
# the toolchain's `-lstdc++` at libstdc++.a: loading the shared libstdc++ (4,300 symbol lookups)
# was a tenth of every CLI process. Without libstdc++.a the binary links it dynamically.
STATIC_CXX := $(CURDIR)/.build-static/static-libstdc++
release: setup
	@mkdir -p "$(STATIC_CXX)"
	@archive=$$(clang -print-file-name=libstdc++.a 2>/dev/null); \
	if [ -f "$$archive" ]; then echo "INPUT($$archive)" >"$(STATIC_CXX)/libstdc++.so"; \
	else rm -f "$(STATIC_CXX)/libstdc++.so"; echo "note: no libstdc++.a; linking libstdc++ dynamically"; fi
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product casebook \
	  -Xlinker -L"$(STATIC_CXX)"

# One `casebook section revise` process against the equivalent git CLI plumbing, with the
# binary `make release` builds.
bench-cli: release
	bash Benchmarks/cli-vs-git.sh .build-static/release/casebook 200 default
	bash Benchmarks/cli-vs-git.sh .build-static/release/casebook 200 bare

# `casebook tokens` (the release binary) against tiktoken on the same text, and a 10 MB run
# without spaces for linearity.
bench-tokens: release test-venv
	bash Benchmarks/tokens-vs-tiktoken.sh .build-static/release/casebook

# The server beside the CLI, where `casebook serve` and `casebook mcp` look for it.
release-server: release
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-static --product casebook-server \
	  -Xlinker -L"$(STATIC_CXX)"

# The HTTP API under load from wrk on 127.0.0.1 (16 connections, one project, tmpfs).
bench-server: release-server
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	TMPDIR=/dev/shm bash Benchmarks/server-wrk.sh .build-static/release/casebook-server .build-static/release/casebook 10

# The server's peak memory for a 1 GiB upload streamed with curl (target: under 100 MB).
bench-upload: release-server
	bash Benchmarks/upload-memory.sh .build-static/release/casebook-server .build-static/release/casebook 1024

clean:
	rm -rf .build "$(DEMO_DIR)" $(VENV)
