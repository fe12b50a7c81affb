// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: the decisions. The knobs (snull_debugfs.c) are data the
 * packet path reads; what they mean for a frame is decided here, so the
 * transmit and receive code stays free of special cases.
 *
 *   drop_every     drop every Nth transmitted frame (0: off)
 *   drop_prob      drop each frame with this probability, per million
 *   drop_seed      seed of the generator behind drop_prob (reproducible)
 *   corrupt_every  corrupt every Nth frame on the wire: the receiver's FCS
 *                  check fails and it counts rx_crc_errors
 *   lockup         like the parameter: every Nth transmit loses its TX-done
 *   fail_open      the next ndo_open fails with this errno, once
 *
 * Frame counts start at load. irq_delay_us and hold_ring are read by the
 * hardware (snull_hw.c) and the wire (snull_rx.c) directly.
 */
#include <linux/netdevice.h>
#include <linux/siphash.h>

#include "snull.h"

void snull_fault_init(struct snull_priv *priv)
{
	priv->faults.lockup = snull_lockup;
}

/*
 * Restart drop_prob's generator at @seed, so that writing the same seed
 * again drops the same frames again (see snull_draw()). Draws racing with
 * the write may see the old seed or the new one.
 */
void snull_fault_seed(struct snull_faults *f, u64 seed)
{
	WRITE_ONCE(f->drop_seed, seed);
	atomic64_set(&f->draws, 0);
}

static bool snull_every(u32 seq, const u32 *knob)
{
	u32 every = READ_ONCE(*knob);

	return every && seq % every == 0;
}

/*
 * drop_prob's draw, shared by the xmits of every queue: the Nth draw since
 * the seed was written is the kernel's SipHash of N keyed by the seed. It
 * takes no lock, so any context may draw: netpoll calls xmit with IRQs off
 * (and from hard IRQ), where PREEMPT_RT allows no spinlock_t. The draws of
 * two queues at once each get their own N; the sequence, the same for a
 * seed, is spread over the frames in the order they draw.
 */
static bool snull_draw(struct snull_faults *f, u32 prob)
{
	siphash_key_t key = { .key = { READ_ONCE(f->drop_seed) } };
	u64 n = atomic64_inc_return(&f->draws);

	return (u32)siphash_1u64(n, &key) % 1000000 < prob;
}

/*
 * Decide the fate of the frame xmit is about to post on queue @q. Context:
 * xmit, BHs off (or IRQs, from netpoll), under that queue's lock only: the
 * xmits of two queues may run at once, so the sequence and the generator's
 * draws are atomic counters.
 */
enum snull_verdict snull_fault_tx(struct snull_queue *q)
{
	struct snull_faults *f = &q->priv->faults;
	u32 seq = atomic_inc_return(&f->seq);
	u32 prob = READ_ONCE(f->drop_prob);

	if (snull_every(seq, &f->drop_every))
		return SNULL_VERDICT_DROP;
	if (prob && snull_draw(f, prob))
		return SNULL_VERDICT_DROP;
	if (snull_every(seq, &f->corrupt_every))
		return SNULL_VERDICT_CORRUPT;
	if (snull_every(seq, &f->lockup))
		return SNULL_VERDICT_STALL;
	return SNULL_VERDICT_PASS;
}

/* ndo_open's one-shot failure; a positive errno as written to the file. */
int snull_fault_open(struct snull_priv *priv)
{
	u32 err = xchg(&priv->faults.fail_open, 0);

	return err ? -(int)min_t(u32, err, MAX_ERRNO) : 0;
}
