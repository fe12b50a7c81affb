// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameters and their checks. Every layer reads them; they are
 * checked once at load (snull_check_params(), from snull_main.c) and fixed
 * afterwards: every file is 0444.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/netdevice.h>

#include "snull.h"

/*
 * The book copied every frame twice: into a ring buffer on transmit, into a
 * fresh skb on receive. snull now passes the skb itself, as DMA from the
 * skb's own pages would; copy=1 brings the book's buffers back.
 */
int snull_copy;
module_param_named(copy, snull_copy, int, 0444);
MODULE_PARM_DESC(copy, "1: copy each frame into a ring buffer and out again, as the book did, with no TSO; 0: pass the skb itself (default 0)");

int snull_pool_size = 256;
module_param_named(pool_size, snull_pool_size, int, 0444);
MODULE_PARM_DESC(pool_size, "Descriptors in each TX ring (a packet buffer each with copy=1), 1-4096, rounded up to a power of two (default 256)");

int snull_lockup;
module_param_named(lockup, snull_lockup, int, 0444);
MODULE_PARM_DESC(lockup, "Lose the TX-done interrupt of every Nth transmit, hanging the ring until the watchdog resets it; 0 = never (default 0)");

/*
 * The book's time-out was 5 jiffies, so its lockup demo recovered at once.
 * Half a second keeps that demo lively (the core's watchdog timer ticks on
 * whole seconds, so a lost interrupt is repaired within about a second),
 * and cannot fire on a ring that is merely slow: TX-done refreshes the
 * queue's trans_start (snull_tx_clean()), so only a ring that completes
 * nothing for that long times out.
 */
int snull_timeout = 500;
module_param_named(timeout, snull_timeout, int, 0444);
MODULE_PARM_DESC(timeout, "TX watchdog time-out in ms, 10-60000 (default 500)");

int snull_use_napi = 1;
module_param_named(use_napi, snull_use_napi, int, 0444);
MODULE_PARM_DESC(use_napi, "1: receive through NAPI poll; 0: netif_rx() from the interrupt handler (default 1)");

int snull_napi_weight = NAPI_POLL_WEIGHT;
module_param_named(napi_weight, snull_napi_weight, int, 0444);
MODULE_PARM_DESC(napi_weight, "NAPI weight: the most frames one poll receives, 1-64 (default 64)");

unsigned int snull_ring_start;
module_param_named(ring_start, snull_ring_start, uint, 0444);
MODULE_PARM_DESC(ring_start, "Test hook: every TX ring index starts here, e.g. 4294967040 to cross the 2^32 wrap after 256 frames (default 0)");

int snull_inject_load_fault;
module_param_named(inject_load_fault, snull_inject_load_fault, int, 0444);
MODULE_PARM_DESC(inject_load_fault, "Test hook: fail loading at stage N: 1 allocating sn1, 2 sn0's ring, 3 sn1's ring, 4 registering sn1; 0 = off (default 0)");

/*
 * The book made one pair; pairs=N makes N at load (sn0/sn1, sn2/sn3, ...),
 * and `ip link add NAME type snull` makes more at any time.
 */
int snull_pairs = 1;
module_param_named(pairs, snull_pairs, int, 0444);
MODULE_PARM_DESC(pairs, "Pairs made at load: sn0/sn1, sn2/sn3, ..., 0-1024; more with ip link add NAME type snull (default 1)");

struct snull_param {
	const char *name;
	int *value;
	int min, max;
};

static const struct snull_param snull_params[] = {
	{ "copy", &snull_copy, 0, 1 },
	{ "pool_size", &snull_pool_size, 1, SNULL_MAX_POOL },
	{ "lockup", &snull_lockup, 0, 1000000 },
	{ "timeout", &snull_timeout, 10, 60000 },
	{ "use_napi", &snull_use_napi, 0, 1 },
	{ "napi_weight", &snull_napi_weight, 1, NAPI_POLL_WEIGHT },
	{ "inject_load_fault", &snull_inject_load_fault, 0, 4 },
	{ "pairs", &snull_pairs, 0, SNULL_MAX_PAIRS },
};

/* The book never checked its parameters (pitfalls.md #15). */
static int snull_check_ranges(void)
{
	const struct snull_param *p;
	int err = 0;

	for (p = snull_params; p < snull_params + ARRAY_SIZE(snull_params); p++) {
		if (*p->value >= p->min && *p->value <= p->max)
			continue;
		pr_err("%s=%d is out of range %d..%d\n", p->name, *p->value,
		       p->min, p->max);
		err = -EINVAL;
	}
	return err;
}

/*
 * The ring is indexed with a mask, so its size must be a power of two
 * (pitfalls.md #18). Round up rather than refuse, so that the book's
 * examples still load, and write the result back: the parameter file and
 * ethtool -g then show the size the rings really have.
 */
static void snull_round_pool_size(void)
{
	int size = roundup_pow_of_two(snull_pool_size);

	if (size == snull_pool_size)
		return;
	pr_info("pool_size=%d rounded up to %d: TX rings are powers of two\n",
		snull_pool_size, size);
	snull_pool_size = size;
}

/* At load, before anything is made: 0, or -EINVAL with a line for each. */
int snull_check_params(void)
{
	int err = snull_check_ranges();

	if (!err)
		snull_round_pool_size();
	return err;
}

