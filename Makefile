# Custody — the two commands a fresh Debian 12 machine needs are `make run` and `make test`.
# Each installs the Debian packages it needs first (scripts/apt-ensure; nothing is fetched when all are present).

SWIFT        ?= swift
CONFIG       ?= var/custody.toml
BUILD_DIR    := .build/debug

# Packages to build and run: SQLite for the manifest (GRDB links the system library).
RUN_PACKAGES  := libsqlite3-dev pkg-config
# Packages the tests add: the sqlite3 shell (append-only tests on a connection without Custody's code),
# Go and x/mod (cross-check with an implementation nobody here wrote), ffmpeg (real MP4 files).
TEST_PACKAGES := $(RUN_PACKAGES) sqlite3 golang-go golang-golang-x-mod-dev ffmpeg

.PHONY: all build run test deps-run deps-test check-imports crosscheck unit-tests clean

all: build

deps-run:
	scripts/apt-ensure $(RUN_PACKAGES)

deps-test:
	scripts/apt-ensure $(TEST_PACKAGES)

build: deps-run
	$(SWIFT) build

# Builds, creates ./var/custody.toml and the station under ./var/state on first use, and runs custodyd in the
# foreground (Ctrl-C stops it gracefully).
run: build
	@[ -f $(CONFIG) ] || $(BUILD_DIR)/custody --config $(CONFIG) init
	$(BUILD_DIR)/custodyd --config $(CONFIG)

test: deps-test check-imports
	$(SWIFT) build --build-tests
	$(MAKE) crosscheck
	$(MAKE) unit-tests

check-imports:
	scripts/check-imports

crosscheck:
	Tests/interop/crosscheck.sh $(BUILD_DIR)/custody

unit-tests:
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
