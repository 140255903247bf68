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
# Docking (issue 4): libudev to build custodyd; for its tests umockdev with its Python bindings (fake udev
# devices), FUSE drivers and mkfs tools for exFAT and FAT32 images, udevadm (rules lint), systemd-analyze (unit).
RUN_PACKAGES  += libudev-dev
# PTP/MTP (issue 5): libusb-1.0 to build CustodyDevices (CLibUSB).
RUN_PACKAGES  += libusb-1.0-0-dev
TEST_PACKAGES += libusb-1.0-0-dev
TEST_PACKAGES += libudev-dev umockdev gir1.2-umockdev-1.0 python3-gi exfat-fuse fusefat exfatprogs dosfstools mtools \
                 udev systemd e2fsprogs
# Lifecycle (issue 8): xorriso writes ISO 9660 archive images; the tests mount them with fuseiso (no kernel iso9660).
RUN_PACKAGES  += xorriso
TEST_PACKAGES += xorriso fuseiso
# HTTP (issue 7): curl is the live tests' real client, openssl makes their TLS certificates, python3-yaml parses
# docs/openapi.yaml for the contract test.
TEST_PACKAGES += curl openssl python3-yaml
# Admin pages (issue 7): headless Chromium, its WebDriver and Selenium for the real-browser test
# (Tests/browser/admin_pages.py), and a CJK font so the screenshots show the officers' Chinese names.
TEST_PACKAGES += chromium chromium-driver python3-selenium fonts-noto-cjk
DEMO_PACKAGES := $(RUN_PACKAGES) ffmpeg umockdev gir1.2-umockdev-1.0 python3-gi e2fsprogs
PREFIX       ?= /usr/local
DESTDIR      ?=

.PHONY: all build run test bench bench-http demo install deps-run deps-test check-imports crosscheck unit-tests e2e soak fuzz fuzz-smoke clean

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
	$(MAKE) fuzz-smoke

check-imports:
	scripts/check-imports

# Packages the benchmarks add: losetup and mount (mount, util-linux), mkfs.ext4 -d (e2fsprogs), cp, sync and
# sha256sum (coreutils) and openssl, the tools Custody is measured against; wrk and curl for the feed under load.
BENCH_PACKAGES := $(RUN_PACKAGES) mount util-linux e2fsprogs coreutils openssl wrk curl

# The benchmark harness of issue 10 (as root: loop mounts, drop_caches). Release build in its own scratch path;
# results in docs/benchmarks.md. About 10-15 minutes on a 2-core VM. custody and custodyd serve the feed case.
bench:
	export BENCH_STARTED=$$(date +%s) && scripts/apt-ensure $(BENCH_PACKAGES) \
	    && $(SWIFT) build -c release --scratch-path .build-release --product custody-bench \
	    && $(SWIFT) build -c release --scratch-path .build-release --product custody \
	    && $(SWIFT) build -c release --scratch-path .build-release --product custodyd \
	    && Benchmarks/run.sh

# Ingest throughput with and without 50 concurrent feed consumers (issue 9, item 6); release build; a few minutes.
bench-http:
	scripts/apt-ensure $(BENCH_PACKAGES) \
	    && $(SWIFT) build -c release --scratch-path .build-release --product custody \
	    && $(SWIFT) build -c release --scratch-path .build-release --product custodyd \
	    && BIN=.build-release/release Benchmarks/http-load.sh

# A newcomer's first dock: a sample recorder image with ffmpeg clips, custodyd on the embedded default, the image
# docked as a loop device (udev simulated by umockdev), progress in `custody status`, entries, verify. As root.
demo: build
	scripts/apt-ensure $(DEMO_PACKAGES)
	scripts/demo $(BUILD_DIR)

# Installs binaries, the systemd unit, the udev rules and (if absent) the configuration; as root.
# INSTALL_BUILD=debug and INSTALL_SCRATCH=DIR install another build (the release build takes a while).
INSTALL_BUILD   ?= release
INSTALL_SCRATCH ?= .build
install:
	scripts/apt-ensure $(RUN_PACKAGES)
	$(SWIFT) build -c $(INSTALL_BUILD) --scratch-path $(INSTALL_SCRATCH) --product custody
	$(SWIFT) build -c $(INSTALL_BUILD) --scratch-path $(INSTALL_SCRATCH) --product custodyd
	install -D -m 0755 $(INSTALL_SCRATCH)/$(INSTALL_BUILD)/custody $(DESTDIR)$(PREFIX)/bin/custody
	install -D -m 0755 $(INSTALL_SCRATCH)/$(INSTALL_BUILD)/custodyd $(DESTDIR)$(PREFIX)/bin/custodyd
	install -d -m 0755 $(DESTDIR)/etc/systemd/system $(DESTDIR)/etc/udev/rules.d $(DESTDIR)/etc/custody
	sed 's#/usr/local/bin/custodyd#$(PREFIX)/bin/custodyd#' systemd/custodyd.service \
	    > $(DESTDIR)/etc/systemd/system/custodyd.service
	[ -f $(DESTDIR)/etc/custody/custody.toml ] || install -m 0644 config/custody.toml $(DESTDIR)/etc/custody/custody.toml
	$(DESTDIR)$(PREFIX)/bin/custody --config $(DESTDIR)/etc/custody/custody.toml udev-rules \
	    > $(DESTDIR)/etc/udev/rules.d/70-custody.rules
	@if [ -z "$(DESTDIR)" ]; then \
	    udevadm control --reload 2>/dev/null || true; systemctl daemon-reload 2>/dev/null || true; \
	    echo "installed; next: edit /etc/custody/custody.toml, custody init, then systemctl enable --now custodyd"; \
	fi

crosscheck:
	Tests/interop/crosscheck.sh $(BUILD_DIR)/custody

# CUSTODY_UDEVD_E2E=1 includes the docking test with a real systemd-udevd (scripts/udevd-e2e), which is skipped
# unless root; it writes device links into the real /dev, as these throwaway VMs allow.
# CUSTODY_BROWSER_TESTS=1 makes the headless-Chromium test of the admin pages required (it fails, not skips, when
# Chromium is missing); screenshots go to .build/test-artifacts/admin/.
unit-tests:
	CUSTODY_UDEVD_E2E=1 CUSTODY_BROWSER_TESTS=1 $(SWIFT) test --skip-build

# Only the end-to-end docking test with a real systemd-udevd (also part of `make test`); as root.
e2e: deps-test
	$(SWIFT) build --build-tests
	CUSTODY_UDEVD_E2E=1 $(SWIFT) test --skip-build --filter DockingUdevdEndToEndTests

# The hardening campaigns of issue 9 with their large counts (as root): 200 SIGKILLs of custodyd mid-ingest
# (CUSTODY_SOAK_KILLS), a recorder of a million tiny files (CUSTODY_SOAK_TINY_FILES), the store and recorder
# fault tests, and the tamper campaign (CUSTODY_TAMPER_CHANGES). See scripts/soak and docs/reliability.md.
soak: deps-test
	SWIFT=$(SWIFT) scripts/soak

# libFuzzer on the MP4 reader, canonical JSON, signed notes, proof verifiers and the PTP codec (issue 9,
# docs/fuzzing.md): a release build with --sanitize=fuzzer in .build-fuzz, then FUZZ_SECONDS (default 60) per target;
# fuzz-smoke (part of `make test`) runs each for FUZZ_SMOKE_RUNS (default 500000) inputs from seed 1: the same inputs on
# every machine, about 5 minutes of build and 80 s of fuzzing on an idle 2-core VM.
fuzz: deps-run
	SWIFT=$(SWIFT) scripts/fuzz

fuzz-smoke: deps-run
	SWIFT=$(SWIFT) scripts/fuzz --smoke

clean:
	rm -rf .build
