// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated hardware: the TX ring and the interrupt line.
 *
 * A real NIC owns memory the driver shares with it and raises interrupts
 * through a status register. snull's "hardware" is this file: a ring of
 * packet buffers per queue, which the peer's queue of the same number reads
 * as its wire, and for each queue a status word of interrupt causes, a
 * mask, and an irq_work that runs the handler in hard-IRQ context, never as
 * a plain call from the transmit path.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/slab.h>

#include "snull.h"

/*
 * Allocate the ring (the book's snull_setup_pool): one allocation, the
 * descriptors and, with copy=1, their buffers after them; the book made
 * one kmalloc per buffer. In zero-copy mode a descriptor has no buffer:
 * it points at the skb. @size is a power of two (snull_main.c rounds
 * pool_size up), so that the free-running u32 indices stay continuous when
 * they wrap at 2^32 (pitfalls.md #18): index & mask gives the same slot
 * before and after the wrap only because size divides 2^32. The indices
 * all start at @start, a test hook that puts the wrap within reach of a
 * short flood.
 */
int snull_ring_alloc(struct snull_ring *ring, u32 size, u32 start)
{
	size_t descs = array_size(size, sizeof(*ring->desc));
	size_t bufs = snull_copy ? array_size(size, SNULL_BUF_STRIDE) : 0;
	u8 *block;

	if (WARN_ON_ONCE(!is_power_of_2(size)))
		return -EINVAL;
	/* The buffers start on a cache line; the descriptors come first. */
	descs = ALIGN(descs, SMP_CACHE_BYTES);
	block = kvzalloc(size_add(descs, bufs), GFP_KERNEL);
	if (!block)
		return -ENOMEM;
	ring->desc = (struct snull_desc *)block;
	ring->bufs = bufs ? block + descs : NULL;
	ring->size = size;
	ring->mask = size - 1;
	ring->wake_thresh = DIV_ROUND_UP(size, 4);
	ring->head = start;
	ring->rx = start;
	ring->done = start;
	ring->tail = start;
	return 0;
}

/*
 * Zero copy: free the skbs of descriptors posted but not taken by the wire,
 * from rx up to @upto, the head the caller has read. The caller is the
 * wire's one reader (the receiver's flush under its lock, or the teardown,
 * when nothing else runs), and moves rx past them after. Safe in any
 * context: dev_kfree_skb_any() defers what IRQs-off may not do.
 */
void snull_ring_drop_posted(struct snull_ring *ring, u32 upto)
{
	u32 idx;

	for (idx = ring->rx; idx != upto; idx++) {
		struct snull_desc *desc = snull_ring_desc(ring, idx);

		dev_kfree_skb_any(desc->skb);
		desc->skb = NULL;
	}
}

/*
 * Free the ring (the book's snull_teardown_pool). Called only once the
 * device is unregistered and both ends are down, so nothing reads it. Every
 * posted frame has been delivered or flushed by the peer's ndo_stop, but a
 * frame posted after that flush (a packet socket's xmit racing the peer's
 * down) may still hold its skb: free it, or it leaks (pitfalls.md #12).
 */
void snull_ring_free(struct snull_ring *ring)
{
	if (!ring->desc)
		return;
	snull_ring_drop_posted(ring, ring->head);
	kvfree(ring->desc);
	ring->desc = NULL;
}

/*
 * The hardware writes back "descriptors before @upto are complete". Two
 * writers can race here (the peer's receive path and the reset in
 * ndo_tx_timeout), so the index only ever moves forward. The release orders
 * the receiver's reads of the buffers before the driver reuses them.
 */
void snull_ring_write_back(struct snull_ring *ring, u32 upto)
{
	u32 old = READ_ONCE(ring->done);

	while ((s32)(upto - old) > 0) {
		u32 seen = cmpxchg_release(&ring->done, old, upto);

		if (seen == old)
			break;
		old = seen;
	}
}

/*
 * Reset a hung TX engine: lift the stall and write back every descriptor the
 * wire has delivered. It neither allocates nor sleeps and leaves descriptors
 * still on the wire alone, so it is safe with BHs off (pitfalls.md #11).
 */
void snull_ring_reset(struct snull_ring *ring)
{
	WRITE_ONCE(ring->stalled, false);
	smp_mb(); /* pairs with snull_wire_complete() */
	snull_ring_write_back(ring, smp_load_acquire(&ring->rx));
}

/* Assert the line: now, or after irq_delay_us as a delaying NIC would. */
void snull_fire(struct snull_queue *q)
{
	u32 delay_us = READ_ONCE(q->priv->faults.irq_delay_us);

	if (likely(!delay_us))
		irq_work_queue(&q->irq);
	else if (!hrtimer_is_queued(&q->irq_timer))
		hrtimer_start(&q->irq_timer,
			      ns_to_ktime((u64)delay_us * NSEC_PER_USEC),
			      HRTIMER_MODE_REL_HARD);
}

/* The delay has passed: fire the line (hard-IRQ context). */
static enum hrtimer_restart snull_irq_timer(struct hrtimer *timer)
{
	struct snull_queue *q = container_of(timer, struct snull_queue,
					     irq_timer);

	irq_work_queue(&q->irq);
	return HRTIMER_NORESTART;
}

/*
 * A moderation hold is over (snull_coal_fire_now() started it): fire the
 * line for what came meanwhile. Hard-IRQ context.
 */
static enum hrtimer_restart snull_coal_timer(struct hrtimer *timer)
{
	struct snull_coal *coal = container_of(timer, struct snull_coal, timer);

	atomic_set(&coal->held, 0);
	/* A masked line fires at its unmask; see snull_irq_unmask(). */
	if (READ_ONCE(coal->q->irq_enabled))
		snull_fire(coal->q);
	return HRTIMER_NORESTART;
}

/*
 * The timers of queue @q's line: the late fire of irq_delay_us and one
 * moderation hold per cause. Hard-IRQ timers, as the line they raise.
 */
void snull_irq_init(struct snull_queue *q)
{
	int cause;

	hrtimer_setup(&q->irq_timer, snull_irq_timer, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL_HARD);
	for (cause = 0; cause < SNULL_NR_CAUSES; cause++) {
		struct snull_coal *coal = &q->coal[cause];

		coal->q = q;
		atomic_set(&coal->held, 0);
		hrtimer_setup(&coal->timer, snull_coal_timer, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL_HARD);
	}
}

/*
 * Raise an interrupt cause on queue @q's line. The status bit is set first
 * and the mask read after a full barrier; snull_irq_unmask() does the
 * opposite. So either we see the mask lifted and fire, or the unmasker sees
 * our bit and fires: a cause raised just as NAPI completes is never lost
 * (pitfalls.md #5).
 *
 * Every caller has just published an index (head with smp_store_release()
 * for RX, done with cmpxchg_release() for TX-done). A release orders what
 * comes before it, not a later store, and set_bit() is relaxed: on arm64,
 * POWER or RISC-V the handler could see the bit, consume it (the xchg in
 * poll, or in the use_napi=0 handler) and still read the old index, leaving
 * the frame stranded until the next raise (pitfalls.md #19). The barrier
 * before set_bit() orders the index before the bit; it pairs with the fully
 * ordered xchg() that acknowledges the causes, which comes before the
 * acquire that reads the index. On x86 set_bit() is a LOCK'ed instruction,
 * a full barrier already, so no test in the VM can show the difference.
 */
void snull_raise_irq(struct snull_queue *q, int cause)
{
	smp_mb__before_atomic(); /* the caller's index, then the cause */
	set_bit(cause, &q->status);
	smp_mb__after_atomic(); /* pairs with snull_irq_unmask() */
	if (READ_ONCE(q->irq_enabled) && snull_coal_fire_now(q, cause))
		snull_fire(q);
}

void snull_irq_mask(struct snull_queue *q)
{
	WRITE_ONCE(q->irq_enabled, false);
}

/* Unmask, and fire at once if a cause is pending: the line is level-triggered. */
void snull_irq_unmask(struct snull_queue *q)
{
	WRITE_ONCE(q->irq_enabled, true);
	smp_mb(); /* pairs with snull_raise_irq() */
	if (READ_ONCE(q->status))
		snull_fire(q);
}

/*
 * Wait until no interrupt of a masked line is pending or running: a raise
 * that read the mask just before it went on may still have fired.
 */
void snull_irq_quiesce(struct snull_queue *q)
{
	snull_coal_cancel(q);
	hrtimer_cancel(&q->irq_timer);
	irq_work_sync(&q->irq);
}
