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

#include "snull.h"

void snull_fault_init(struct snull_priv *priv)
{
	struct snull_faults *f = &priv->faults;

	f->lockup = snull_lockup;
	spin_lock_init(&f->rnd_lock);
	prandom_seed_state(&f->rnd, 0);
}

/*
 * Restart drop_prob's generator at @seed, so that writing the same seed
 * again drops the same frames again. The xmits of all queues draw from it
 * under rnd_lock, with BHs off: so do we.
 */
void snull_fault_seed(struct snull_faults *f, u64 seed)
{
	spin_lock_bh(&f->rnd_lock);
	WRITE_ONCE(f->drop_seed, seed);
	prandom_seed_state(&f->rnd, seed);
	spin_unlock_bh(&f->rnd_lock);
}

static bool snull_every(u32 seq, const u32 *knob)
{
	u32 every = READ_ONCE(*knob);

	return every && seq % every == 0;
}

/* drop_prob's draw: a generator shared by the xmits of every queue. */
static bool snull_draw(struct snull_faults *f, u32 prob)
{
	bool hit;

	spin_lock(&f->rnd_lock);
	hit = prandom_u32_state(&f->rnd) % 1000000 < prob;
	spin_unlock(&f->rnd_lock);
	return hit;
}

/*
 * Decide the fate of the frame xmit is about to post on queue @q. Context:
 * xmit, BHs off, under that queue's lock only: the xmits of two queues may
 * run at once, so the sequence is atomic and the generator has its lock.
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
