# bvops - operations console for Builder Vault TSM nodes.
#
#   make            build build/bvops
#   make run        install what is missing, build, open the demo fleet
#   make test       every test (lint, unit, TOML conformance, CLI, console),
#                   suites side by side; end-to-end ones on the ASan+UBSan build
#   make deps       install the Debian packages the build and tests need
#   make fuzz       run the libFuzzer targets for FUZZ_SECONDS each
#   make bench      benchmarks
#   make install    PREFIX=/usr/local DESTDIR=

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
FUZZ_SECONDS ?= 60

# Every package the build and the tests use, and nothing else.
DEBIAN_DEPS := build-essential pkg-config libncurses-dev libcurl4-openssl-dev libssl-dev \
	libcjson-dev libssh2-1-dev libexpat1-dev clang clang-format clang-tidy \
	cppcheck tmux valgrind openssl python3 openssh-server \
	openssh-client socat multitail lnav iproute2 curl procps zsh systemd \
	python3-pip

PKGS       := ncursesw libcurl libcjson libssh2 expat libcrypto
# Each library and the Debian package that brings its pkg-config file: a
# build without one stops at once and says which to install.
PKG_DEBS   := ncursesw:libncurses-dev libcurl:libcurl4-openssl-dev \
	libcjson:libcjson-dev libssh2:libssh2-1-dev expat:libexpat1-dev \
	libcrypto:libssl-dev
ifeq ($(filter deps deps-python check-deps clean,$(MAKECMDGOALS)),)
$(foreach pd,$(PKG_DEBS),$(if $(shell pkg-config --exists \
	$(firstword $(subst :, ,$(pd))) 2>/dev/null && echo y),,$(error \
	the build needs $(firstword $(subst :, ,$(pd))) (pkg-config): \
	apt-get install $(lastword $(subst :, ,$(pd))), or make deps)))
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla
CPPFLAGS += -Isrc -I. -D_GNU_SOURCE -DBVOPS_VERSION='"$(VERSION)"' \
	-DBVOPS_DATADIR='"$(PREFIX)/share/bvops"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lpthread -lm
# Quiet by default; make V=1 shows the commands.
Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2))

SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The layers, lowest first; each folder includes only folders before it in
# this list (tests/layers.py checks it in make lint; docs/architecture.md).
LAYERS     := lib state aws transport engine proc ui cli
# Everything but the command-line layer is the engine core, linked into
# the test programs; only src/cli/ (main, cli, cmd_*) makes the binary.
APP_SRC    := $(wildcard src/cli/*.c)
ENGINE_SRC := $(filter-out $(APP_SRC),$(wildcard src/*/*.c))
UI_SRC     := $(wildcard ui/*.c)
UNIT_SRC   := $(wildcard tests/unit/*.c)
ALL_C      := $(wildcard src/*/*.c src/*/*.h ui/*.c ui/*.h tests/*.c \
	tests/unit/*.c tests/unit/*.h tests/fuzz/*.c)

# Two trees from the same sources: normal, and sanitized.
obj  = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

NORMAL_ENGINE := $(call obj,obj,$(ENGINE_SRC))
NORMAL_UI     := $(call obj,obj,$(UI_SRC))
ASAN_ENGINE   := $(call obj,obj-asan,$(ENGINE_SRC))
ASAN_UI       := $(call obj,obj-asan,$(UI_SRC))

# Keep objects that pattern rules make on the way.
.SECONDARY:

.PHONY: all run run-ssm test test-quick deps deps-python lint fuzz bench install deb uninstall \
	clean check-deps

all: $(BUILD)/bvops

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC-SAN,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(BUILD)/bvops: $(NORMAL_ENGINE) $(NORMAL_UI) $(call obj,obj,$(APP_SRC))
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/bvops: $(ASAN_ENGINE) $(ASAN_UI) $(call obj,obj-asan,$(APP_SRC))
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit_tests: $(call obj,obj,$(UNIT_SRC)) $(NORMAL_ENGINE)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/tests/unit_tests: $(call obj,obj-asan,$(UNIT_SRC)) $(ASAN_ENGINE)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(NORMAL_ENGINE)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/asan/tests/%: $(BUILD)/obj-asan/tests/%.o $(ASAN_ENGINE)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/bvsim: tests/sim/bvsim.c
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $@ $<

# The engine thread under ThreadSanitizer (clang), for data races.
$(BUILD)/tsan/tests/monitor_events: tests/monitor_events.c $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	$(call say,LD-TSAN,$@)
	$(Q)clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=thread $(PKG_CFLAGS) \
		-o $@ $^ $(LDLIBS)

# The ssm transport's thread and its streams, for tests/ssm.sh.
$(BUILD)/tsan/tests/transport_run: tests/transport_run.c $(ENGINE_SRC)
	@mkdir -p $(dir $@)
	$(call say,LD-TSAN,$@)
	$(Q)clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=thread $(PKG_CFLAGS) \
		-o $@ $^ $(LDLIBS)

# What tests/run.sh runs: unit, CLI and TOML suites on both builds, the
# end-to-end suites on the sanitized one, the threads under TSan.
TEST_BINS := $(BUILD)/bvops $(BUILD)/tests/unit_tests $(BUILD)/tests/bvsim \
	$(BUILD)/tests/toml_decode $(BUILD)/tests/toml_conformance \
	$(BUILD)/asan/bvops $(BUILD)/asan/tests/unit_tests \
	$(BUILD)/asan/tests/toml_decode $(BUILD)/asan/tests/transport_run \
	$(BUILD)/asan/tests/monitor_events $(BUILD)/asan/tests/aws_creds \
	$(BUILD)/asan/tests/aws_call $(BUILD)/tsan/tests/monitor_events \
	$(BUILD)/tsan/tests/transport_run

# deps first: on a fresh machine it installs the compiler and libraries.
run: check-deps
	@$(MAKE) --no-print-directory $(BUILD)/bvops $(BUILD)/tests/bvsim
	@BUILD=$(BUILD) demo/run.sh $(ARGS)

# The demo with its fleet found by bvops discover, every node on ssm.
run-ssm: check-deps
	@$(MAKE) --no-print-directory $(BUILD)/bvops $(BUILD)/tests/bvsim
	@BUILD=$(BUILD) BVOPS_DEMO_TRANSPORT=ssm demo/run.sh $(ARGS)

test: check-deps
	@$(MAKE) --no-print-directory -j$$(nproc) $(TEST_BINS)
	@BUILD=$(BUILD) tests/run.sh

# The same without the lint step, for a quick loop while editing.
test-quick: $(TEST_BINS)
	@BUILD=$(BUILD) BVOPS_SKIP_LINT=1 tests/run.sh

# Install what is missing (as root), or say exactly what to run.
check-deps:
	@missing=""; for p in $(DEBIAN_DEPS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then $(MAKE) --no-print-directory deps; fi

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends \
			$(DEBIAN_DEPS) >/dev/null && echo "deps: installed"; \
	else \
		echo "Run as root:"; \
		echo "  apt-get install -y $(DEBIAN_DEPS)"; \
		exit 1; \
	fi
	@$(MAKE) --no-print-directory deps-python

# The tests' Python tools (tests/requirements.txt), with pip, only when
# one is missing; Debian's own python3 refuses a plain pip install
# (PEP 668), hence the second try.
deps-python:
	@if command -v moto_server >/dev/null && command -v aws >/dev/null && \
		python3 -c 'import boto3' 2>/dev/null; then \
		echo "deps: moto_server, aws and boto3 are there"; \
	else \
		python3 -m pip install -q -r tests/requirements.txt 2>/dev/null || \
		python3 -m pip install -q --break-system-packages \
			-r tests/requirements.txt; \
		echo "deps: installed tests/requirements.txt"; \
	fi

lint:
	@tests/lint.sh

FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_ENGINE  := $(ENGINE_SRC)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_ENGINE)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -g -O1 $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_TARGETS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: $(BUILD)/bvops $(BUILD)/bench/toml_parse $(BUILD)/bench/probe_bench \
		$(BUILD)/tests/bvsim $(BUILD)/tests/aws_call
	@bench/run.sh $(BUILD)

$(BUILD)/bench/%: bench/%.c $(NORMAL_ENGINE)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -O2 $(LDFLAGS) -o $@ \
		$(filter %.c %.o,$^) $(LDLIBS)

install: $(BUILD)/bvops
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bvops/themes \
		$(DESTDIR)$(PREFIX)/share/doc/bvops
	install -m 0755 $(BUILD)/bvops $(DESTDIR)$(PREFIX)/bin/bvops
	install -m 0644 docs/bvops.1 $(DESTDIR)$(PREFIX)/share/man/man1/bvops.1
	install -m 0644 themes/*.theme $(DESTDIR)$(PREFIX)/share/bvops/themes/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	install -m 0644 contrib/completion/bvops.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bvops
	install -m 0644 contrib/completion/_bvops \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_bvops
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/lib/sysusers.d
	sed 's|/usr/local/bin/bvops|$(PREFIX)/bin/bvops|' \
		contrib/bvops-watch.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/bvops-watch.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/bvops-watch.service
	install -m 0644 contrib/bvops.sysusers \
		$(DESTDIR)$(PREFIX)/lib/sysusers.d/bvops.conf
	install -m 0644 docs/fleet.example.toml docs/fleet.multi-account.toml docs/*.md \
		contrib/bvops-watch.service README.md \
		$(DESTDIR)$(PREFIX)/share/doc/bvops/

# A Debian package of the tree: build/deb/bvops_VERSION_ARCH.deb.
deb: $(BUILD)/bvops
	@contrib/mkdeb.sh $(BUILD)/bvops $(VERSION) $(BUILD)/deb

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/bvops \
		$(DESTDIR)$(PREFIX)/share/man/man1/bvops.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/bvops \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_bvops \
		$(DESTDIR)$(PREFIX)/lib/systemd/system/bvops-watch.service \
		$(DESTDIR)$(PREFIX)/lib/sysusers.d/bvops.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/bvops $(DESTDIR)$(PREFIX)/share/doc/bvops

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
