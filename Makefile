# SPDX-License-Identifier: GPL-2.0
#
# The developer's interface to snull (see README.md):
#   make            build src/snull.ko against KDIR
#   make run        build, boot a VM, show snull carrying traffic
#   make check      build and run every test in the VM
#   make check-copy the copy pass with copy=1 (the book's bounce buffers):
#                   the tests whose outcome depends on the copy mode
#   make check-kernels  the suite on every kernel of tests/vm/kernels.list:
#                   all of it, or the pass its line names (rt)
#                   (SNULL_RELEASES="trixie-rt sid": only the lines with those keys)
#   make stress     the stress and fault suite (tests/s_*.sh)
#   make check-debug    the debug pass of both suites on a KASAN/lockdep/
#                   kmemleak kernel
#   make check-all  check, stress, and the three above with every test
#                   (FULL=1 makes any of them run every test: no pass)
#   make lint       checkpatch --strict, sparse, a W=1 build and shellcheck
#   make bench      snull against veth and dummy in one VM (bench/bench.sh):
#                   ROUNDS=N (default 5), QUICK=1 (one short round, CI),
#                   PROFILE=1 (perf's top symbols of snull's cases)
#   make install    modules_install of src/snull.ko into
#                   $(INSTALL_MOD_PATH)/lib/modules/KVER/$(INSTALL_MOD_DIR)
#                   (kbuild's defaults: / and extra)
#   make check-pkg  dkms build and install, and make install, into scratch
#                   trees on the host against Debian's headers
#   make clean
#
# KDIR defaults to the running kernel's build tree, falling back to the
# newest Debian headers under /usr/src (scripts/find-kdir).

KDIR ?= $(shell $(CURDIR)/scripts/find-kdir)

.PHONY: all modules install check-pkg clean run check check-kernels check-debug stress lint bench
.PHONY: check-all

# FULL=1: the reduced passes (tests/run.sh --pass) run every test instead.
PASS_copy = $(if $(FULL),,--pass copy)
PASS_debug = $(if $(FULL),,--pass debug)

all: modules

modules:
	@test -n "$(KDIR)" || { echo "snull: set KDIR to a kernel build tree" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules

# kbuild's modules_install takes INSTALL_MOD_PATH, INSTALL_MOD_DIR and
# INSTALL_MOD_STRIP from the command line or the environment, as for any
# external module.
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/src modules_install

check-pkg:
	tests/pkg.sh

clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR)/src clean

run:
	tests/run.sh --demo

check:
	tests/run.sh

.PHONY: check-copy
check-copy:
	SNULL_PARAMS=copy=1 tests/run.sh $(PASS_copy)

check-kernels:
	SNULL_FULL='$(FULL)' tests/kernels.sh

stress:
	tests/run.sh --stress

check-debug:
	tests/debug.sh $(PASS_debug)

# The whole matrix, every test everywhere: what CI's passes sample. Each
# step prints its own summary; make stops at the first that fails.
check-all:
	$(MAKE) check
	$(MAKE) check-copy FULL=1
	$(MAKE) stress
	$(MAKE) check-debug FULL=1
	$(MAKE) check-kernels FULL=1

lint:
	scripts/lint

bench:
	ROUNDS='$(ROUNDS)' QUICK='$(QUICK)' PROFILE='$(PROFILE)' bench/bench.sh
