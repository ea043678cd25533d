package dev.automutex;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.store.MutexStore;
import dev.automutex.store.RenewableMutexStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases keys held with a minimum hold ({@link MutexRequest#holdAtLeast(Duration)})
 * whose holder released them sooner. A store acquisition that another thread may release
 * ({@link MutexStore.Held#handOver(Thread)}: the local store, the AutoMutex Redis engine)
 * is handed to this template's keeper thread, which releases it when the minimum hold
 * ends; the holder returns at once. Others (locks bound to their thread) are released by
 * the holder after waiting out the minimum hold. A lease is first set to the time left
 * plus a margin, so that it outlives the wait without renewal and frees itself soon after
 * if the process dies.
 * <p>
 * The keeper runs no user code. Created on first use; {@link #shutdown()} releases the
 * keys it keeps at once.
 */
final class MinimumHolds {

	private static final Logger logger = LoggerFactory.getLogger(MinimumHolds.class);

	private static final AtomicInteger instances = new AtomicInteger();

	/** How much longer than the minimum hold a lease is set for. */
	private static final Duration MARGIN = Duration.ofSeconds(1);

	private final MutexStore store;

	private final Map<MutexStore.Held, ScheduledFuture<?>> kept = new ConcurrentHashMap<>();

	private volatile @Nullable ScheduledThreadPoolExecutor keeper;

	private volatile @Nullable Thread keeperThread;

	private volatile boolean shutdown;

	MinimumHolds(MutexStore store) {
		this.store = store;
	}

	/**
	 * Release a key whose minimum hold has time left, now or later.
	 * @param record the record of the key, ended
	 * @param left the minimum hold's time left, in nanoseconds
	 * @return what the store's release said, or {@code true} when the release was left to
	 * the keeper
	 */
	boolean release(HeldKey record, long left) {
		MutexStore.Held held = record.held;
		if (!extendLease(record, left)) {
			return held.release();
		}
		ScheduledThreadPoolExecutor executor = keeper();
		Thread keeperThread = this.keeperThread;
		if (executor != null && keeperThread != null && held.handOver(keeperThread)) {
			ScheduledFuture<?> future = executor.schedule(() -> releaseKept(held), left, TimeUnit.NANOSECONDS);
			this.kept.put(held, future);
			return true;
		}
		long until = System.nanoTime() + left;
		boolean interrupted = false;
		for (long wait = left; wait > 0; wait = until - System.nanoTime()) {
			LockSupport.parkNanos(this, wait);
			if (Thread.interrupted()) {
				interrupted = true;
				break; // released now: an interrupted holder is not kept waiting
			}
		}
		try {
			return held.release();
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Set a renewable lease to the minimum hold's time left plus a margin: no renewal
	 * runs after the holder's release.
	 * @param record the key's record
	 * @param left the minimum hold's time left, in nanoseconds
	 * @return {@code false} if the store no longer holds the key (it is released now)
	 */
	private boolean extendLease(HeldKey record, long left) {
		if (!(this.store instanceof RenewableMutexStore renewable) || record.ttl == null) {
			return true;
		}
		try {
			return renewable.renew(record.held, Duration.ofNanos(left).plus(MARGIN));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not extend mutex '{}' for its minimum hold ({}); it is kept until its lease ends",
					record.key, ex.toString());
			return true;
		}
	}

	private void releaseKept(MutexStore.Held held) {
		this.kept.remove(held);
		try {
			held.release();
		}
		catch (RuntimeException ex) {
			logger.warn("Mutex '{}' could not be released after its minimum hold ({}); it stays taken until its "
					+ "lease ends, if the store has leases", held.key(), ex.toString());
		}
	}

	private @Nullable ScheduledThreadPoolExecutor keeper() {
		ScheduledThreadPoolExecutor current = this.keeper;
		if (current == null && !this.shutdown) {
			synchronized (this) {
				current = this.keeper;
				if (current == null && !this.shutdown) {
					AtomicReference<Thread> thread = new AtomicReference<>();
					current = new ScheduledThreadPoolExecutor(1, (runnable) -> {
						Thread created = new Thread(runnable, "mutex-minimum-hold-" + instances.incrementAndGet());
						created.setDaemon(true);
						thread.set(created);
						return created;
					});
					// Cancelled releases (shutdown) must not stay queued until their
					// delay.
					current.setRemoveOnCancelPolicy(true);
					current.prestartCoreThread();
					this.keeperThread = thread.get();
					this.keeper = current;
				}
			}
		}
		return current;
	}

	/**
	 * Release every key kept now, on the keeper thread, then stop it.
	 */
	void shutdown() {
		ScheduledThreadPoolExecutor executor;
		synchronized (this) {
			this.shutdown = true;
			executor = this.keeper;
		}
		if (executor == null) {
			return;
		}
		this.kept.forEach((held, future) -> {
			if (future.cancel(false)) {
				executor.execute(() -> releaseKept(held));
			}
		});
		executor.shutdown();
		try {
			executor.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
