# SPDX-License-Identifier: GPL-2.0
#
#   make                 module for the running kernel (KDIR=...) and tool
#   make check           unit tests, builds, VM selftests (all of them on
#                        the newest kernel, the core groups on the others)
#   make check-full      the same with every selftest on every kernel
#   make check-cross     the module cross-built (W=1, sparse) for arm64,
#                        armhf and mipsel against Debian's headers, and
#                        big-endian mips against linux-source-6.12
#   make demo            full-cone NAT shown in a VM
#   make bench           conenat against forwarding and MASQUERADE
#   make fuzz            fuzz the packet parser and rewriter (FUZZ_SECONDS)
#   make check-debug     the selftests and KUnit suites under a debug kernel
#                        (KASAN, UBSAN, kmemleak, lockdep), built once by
#                        make debug-kernel into /var/cache/conenat
#   make install         module (KVER=...), tool, man page, completion;
#                        DESTDIR and PREFIX as usual; make uninstall
#   make dkms-install    the module's sources to /usr/src for dkms add
#   make clean
#
# Kbuild holds the module's object list; this file is the front end.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build
PREFIX ?= /usr/local
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

.PHONY: all module tool nattest unit kbuild check check-full check-cross \
	demo bench \
	fuzz deps \
	debug-kernel check-debug clean install uninstall dkms-install

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tool:
	$(MAKE) -C tools

# The selftests' helpers: nattest (sockets), blast (a packet source).
nattest: $(BUILD)/nattest $(BUILD)/blast
$(BUILD)/nattest: tests/selftests/nattest.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<
$(BUILD)/blast: tests/bench/blast.c
	@mkdir -p $(BUILD)
	$(CC) -O2 -Wall -Wextra -Werror -o $@ $<

deps:
	tools/deps.sh

unit:
	tests/unit/run.sh

# One out-of-tree build per kernel, each in its own copy of the sources so
# that the two never share objects: make kbuild KVER=6.1.0-56-amd64
kbuild:
	tests/build-module.sh $(KVER)

check: deps
	tests/check.sh

check-full: deps
	CHECK_FULL=1 tests/check.sh

check-cross:
	tests/cross.sh

demo: deps
	tests/demo.sh

bench: deps
	tests/bench/run.sh

fuzz: deps
	tests/fuzz/run.sh

debug-kernel: deps
	tests/debug-kernel/build.sh

check-debug: deps
	tests/debug-kernel/check.sh

# The module goes to /lib/modules/$(KVER)/updates, which modprobe prefers
# to the kernel's own tree; depmod runs unless DESTDIR is set.
install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates modules_install
	$(MAKE) -C tools install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/conenat.ko*
	[ -n "$(DESTDIR)" ] || depmod -a $(KVER)
	$(MAKE) -C tools uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# Only what DKMS builds: Kbuild, dkms.conf, kmod/ and the uapi header.
dkms-install:
	install -d $(DESTDIR)/usr/src/conenat-$(VERSION)/include/uapi/linux
	install -d $(DESTDIR)/usr/src/conenat-$(VERSION)/kmod
	install -m 0644 Kbuild dkms.conf $(DESTDIR)/usr/src/conenat-$(VERSION)
	install -m 0644 kmod/*.c kmod/*.h \
		$(DESTDIR)/usr/src/conenat-$(VERSION)/kmod
	install -m 0644 include/uapi/linux/conenat.h \
		$(DESTDIR)/usr/src/conenat-$(VERSION)/include/uapi/linux

clean:
	$(MAKE) -C tools clean
	rm -rf $(BUILD)
	rm -f *.o *.ko *.mod *.mod.c modules.order Module.symvers .*.cmd \
		kmod/*.o kmod/.*.cmd
