# SPDX-License-Identifier: GPL-2.0
#
#   make                 module for the running kernel (KDIR=...) and tool
#   make check           everything: unit tests, builds, VM selftests
#   make demo            full-cone NAT shown in a VM
#   make bench           conenat against forwarding and MASQUERADE
#   make clean
#
# Kbuild holds the module's object list; this file is the front end.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= $(CURDIR)/build

.PHONY: all module tool nattest unit kbuild check demo bench deps clean

all: module tool

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tool:
	$(MAKE) -C tools

nattest: $(BUILD)/nattest
$(BUILD)/nattest: tests/selftests/nattest.c
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

demo: deps
	tests/demo.sh

bench: deps
	tests/bench/run.sh

clean:
	$(MAKE) -C tools clean
	rm -rf $(BUILD)
	rm -f *.o *.ko *.mod *.mod.c modules.order Module.symvers .*.cmd \
		kmod/*.o kmod/.*.cmd
