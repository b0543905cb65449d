# scaletrace: one build entry (see shared DESIGN.md §1 and README.md).
#
#   make            build ./scaletrace
#   make static     build ./scaletrace-static (libraries from static archives, for deploy/)
#   make test       deps + unit (also under ASan+UBSan) + root integration + lab end-to-end
#                   (LAB=0 skips the lab by hand)
#   make demo       boot the storage lab and trace a NodeStage; leaves out/nodestage.{svg,json}
#   make bench      overhead benchmarks against peer tools (ratios)
#   make lab-test   lab end-to-end tests only
#   make fuzz       run every fuzzer for FUZZ_SECONDS each
#   make format-check / make vmlinux / make clean
#
# V=1 shows full commands; SANITIZE=1 builds the tests (and the binary) with ASan+UBSan.

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

ARCH ?= $(shell uname -m)
BPF_ARCH := $(subst x86_64,x86,$(subst aarch64,arm64,$(ARCH)))
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config
LAB ?= 1
SANITIZE ?= 0
FUZZ_SECONDS ?= 60

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

OUT := build$(if $(filter 1,$(SANITIZE)),-san)
VMLINUX_DIR := vmlinux/$(ARCH)

PKGS := libbpf libelf zlib libdw json-c capstone libmicrohttpd
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# snprintf into a bounded buffer truncates on purpose (names, paths for
# messages); gcc's guess that it may (which varies with -O) is no error.
NO_TRUNC_WARN := $(shell $(CC) -Werror -Wno-format-truncation -x c -c /dev/null -o /dev/null \
	2>/dev/null && echo -Wno-format-truncation)
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes $(NO_TRUNC_WARN)
comma := ,
SAN_FLAGS := $(if $(filter 1,$(SANITIZE)),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all)
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -fno-omit-frame-pointer -D_GNU_SOURCE \
	-DST_VERSION='"$(VERSION)"' -DST_GIT_REV='"$(GIT_REV)"' \
	-iquote user -iquote bpf -iquote flamegraph -iquote $(OUT)/skel $(PKG_CFLAGS) $(SAN_FLAGS) -MMD -MP
override LDFLAGS += $(SAN_FLAGS)
LDLIBS := $(PKG_LIBS) -lm

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -I$(VMLINUX_DIR) -Ivmlinux -Ibpf \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-declarations \
	-fno-stack-protector -mcpu=v3

BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/skel/%.skel.h,$(BPF_SRCS))

MAIN_SRC := user/main.c
LIB_SRCS := $(sort $(filter-out $(MAIN_SRC),$(wildcard user/*.c)) $(wildcard flamegraph/*.c))
LIB_OBJS := $(patsubst %.c,$(OUT)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ := $(OUT)/obj/user/main.o
LIBST := $(OUT)/libscaletrace.a

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
UNIT_SUPPORT := $(wildcard tests/unit/support/*.c)

WORKLOAD_SRCS := $(sort $(wildcard tests/workloads/*.c))
WORKLOAD_BINS := $(patsubst tests/workloads/%.c,$(OUT)/workloads/%,$(WORKLOAD_SRCS))

FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all static test unit integration lab-test demo bench loadtest fuzz clean format format-check \
	vmlinux deps workloads install

all: scaletrace

scaletrace: $(MAIN_OBJ) $(LIBST)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Mostly static, for the DaemonSet image (deploy/): libbpf, libelf, libdw, zlib, liblzma,
# libbz2, json-c, capstone and libmicrohttpd from Debian's static archives. Shared:
# glibc (fully static glibc breaks NSS and is not needed: the image is Debian 12 too),
# and gnutls, libmicrohttpd's TLS backend, which scaletrace never uses: it needs
# libp11-kit, of which Debian ships no static archive (nor of libunistring without
# libunistring-dev), so -static cannot link. The image's Debian 12 base has libgnutls30.
STATIC_SHARED_PKGS := gnutls
STATIC_HTTPD := $(filter libmicrohttpd,$(PKGS))
STATIC_A_LIBS = $(filter-out -lpthread -pthread -lm -ldl -lrt, \
	$(shell $(PKG_CONFIG) --static --libs $(filter-out $(STATIC_HTTPD),$(PKGS))) \
	$(if $(STATIC_HTTPD),$(shell $(PKG_CONFIG) --libs $(STATIC_HTTPD))))
STATIC_SO_LIBS = $(if $(STATIC_HTTPD),$(shell $(PKG_CONFIG) --libs $(STATIC_SHARED_PKGS))) -lm -pthread

static: scaletrace-static

scaletrace-static: $(MAIN_OBJ) $(LIBST)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -Wl,-Bstatic $(STATIC_A_LIBS) -Wl,-Bdynamic $(STATIC_SO_LIBS)

$(LIBST): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(VMLINUX_DIR)/vmlinux.h $(wildcard vmlinux/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUT)/skel/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(OUT)/obj/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# ---- tests ---------------------------------------------------------------

$(OUT)/tests/%: tests/unit/%.c $(UNIT_SUPPORT) $(LIBST)
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -iquote tests/unit -MF $@.d $(LDFLAGS) -o $@ $< $(UNIT_SUPPORT) $(LIBST) \
		$(LDLIBS) -lcmocka

# Workloads with known shapes for the integration tests: frame pointers, symbols.
$(OUT)/workloads/%: tests/workloads/%.c
	$(call msg,CC-WL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tests/workloads/build "$<" "$@" "$(OUT)/workloads"

workloads: $(WORKLOAD_BINS)
	$(Q)tests/workloads/build-extra "$(OUT)/workloads"

deps:
	$(Q)scripts/deps.sh

unit: $(UNIT_BINS) workloads
	$(Q)tests/run-unit $(UNIT_BINS)

integration: scaletrace workloads
	$(Q)tests/integration/run-all "$(OUT)"

lab-test: scaletrace workloads
	$(Q)tests/lab/run-all $(LAB_TESTS)

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory unit SANITIZE=1
	$(Q)$(MAKE) --no-print-directory integration
ifeq ($(LAB),1)
	$(Q)$(MAKE) --no-print-directory lab-test
else
	@echo "lab: skipped by hand (LAB=0)"
endif

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all workloads
	$(Q)bench/run-all "$(OUT)"

loadtest: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/loadtest

fuzz: $(LIBST)
	$(Q)tests/fuzz/run-all "$(OUT)" "$(FUZZ_SECONDS)" $(FUZZ_SRCS)

vmlinux:
	$(call msg,GEN,$(VMLINUX_DIR)/vmlinux.h)
	$(Q)mkdir -p $(VMLINUX_DIR)
	$(Q)$(BPFTOOL) btf dump file $${VMLINUX_BTF:-/sys/kernel/btf/vmlinux} format c \
		> $(VMLINUX_DIR)/vmlinux.h.tmp && mv $(VMLINUX_DIR)/vmlinux.h.tmp $(VMLINUX_DIR)/vmlinux.h

FORMAT_FILES = $(filter-out $(VMLINUX_DIR)/%,$(wildcard user/*.[ch] bpf/*.[ch] flamegraph/*.[ch] \
	tests/unit/*.[ch] tests/unit/support/*.[ch] tests/workloads/*.c tests/fuzz/*.c))

format-check:
	$(Q)clang-format --dry-run -Werror $(FORMAT_FILES)
	@echo "format-check: $(words $(FORMAT_FILES)) files clean"

format:
	$(Q)clang-format -i $(FORMAT_FILES)

PREFIX ?= /usr/local
install: scaletrace
	install -D -m 0755 scaletrace $(DESTDIR)$(PREFIX)/sbin/scaletrace
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(wildcard docs/man/*.8) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 docs/completion/scaletrace.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/scaletrace

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build build-san scaletrace scaletrace-static out

-include $(wildcard $(OUT)/obj/*/*.d $(OUT)/tests/*.d)
