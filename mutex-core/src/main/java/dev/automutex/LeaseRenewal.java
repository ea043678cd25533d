package dev.automutex;

import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import dev.automutex.store.RenewableMutexStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps held keys alive in stores with leases (Locker's leases): while a key is held, its
 * time-to-live is renewed every third of it, so that work longer than {@code expire}
 * keeps the key and {@code expire} only says how soon a crashed holder's key frees
 * itself.
 * <p>
 * One scheduled task per held key (per {@link HeldKey}, not per re-entrant hold). A
 * single dispatcher thread only looks at the clock and hands renewals to a small pool of
 * renewal threads, one call per key at a time, so that neither a slow store nor a hung
 * call for one key delays another key's renewal. The dispatcher also watches each lease:
 * a lease that ends before a renewal succeeded (the store hung or was unreachable for
 * longer than the lease) is reported lost, since the store has dropped the key by then. A
 * renewal that fails is tried again sooner than the next third, after a sixth of the
 * lease (at most {@value #RETRY_MAX_MILLIS} ms), until one succeeds or the lease ends: a
 * key that survived a Redis failover is kept once the client has found the new master,
 * rather than given up because the next regular renewal came too late. Cancelled tasks
 * leave the scheduler's queue at once, so memory follows the keys held now.
 */
final class LeaseRenewal {

	private static final Logger logger = LoggerFactory.getLogger(LeaseRenewal.class);

	static final int RENEWAL_THREADS = 8;

	static final long IDLE_WAIT_MILLIS = 2000;

	static final long RETRY_MAX_MILLIS = 500;

	private static final AtomicInteger instances = new AtomicInteger();

	private final RenewableMutexStore store;

	private final LossReporter losses;

	private final Consumer<HeldKey> abandon;

	private final int instance = instances.incrementAndGet();

	private @Nullable ScheduledThreadPoolExecutor dispatcher; // guarded by this

	private @Nullable ThreadPoolExecutor workers; // guarded by this

	private boolean shutdown; // guarded by this

	/**
	 * Create the renewal of held keys' leases in a store.
	 * @param store the store that renews the leases
	 * @param losses reports keys found lost while held
	 * @param abandon told of a held key whose holder thread has ended
	 */
	LeaseRenewal(RenewableMutexStore store, LossReporter losses, Consumer<HeldKey> abandon) {
		this.store = store;
		this.losses = losses;
		this.abandon = abandon;
	}

	void start(HeldKey record) {
		long period = Math.max(1, Durations.nanos(record.ttl) / 3);
		ScheduledFuture<?> future = dispatcher().scheduleWithFixedDelay(() -> dispatch(record), period, period,
				TimeUnit.NANOSECONDS);
		record.renewalStarted(future);
	}

	private void dispatch(HeldKey record) {
		if (record.isEnded() || record.isLost()) {
			cancel(record);
			return;
		}
		if (!record.holder.isAlive()) {
			logger
				.warn("Thread '{}' ended while holding mutex '{}' without releasing it; renewal stopped, and the store "
						+ "frees the key when its lease ends (a Spring Integration registry keeps it locked for the other "
						+ "threads of this instance)", record.holder.getName(), record.key);
			cancel(record);
			this.abandon.accept(record);
			return;
		}
		if (record.leaseOver(System.nanoTime())) {
			// No renewal succeeded within the lease (the store hung, refused or could
			// not be reached): the store has dropped the key, or will have by the time
			// it answers. The holder is no longer alone.
			cancel(record);
			this.losses.lost(record, "its lease of " + Durations.text(record.ttl) + " ended before a renewal "
					+ "succeeded (the store hung, refused the renewal or could not be reached)");
			return;
		}
		if (!record.startRenewing()) {
			return; // the previous renewal of this key is still waiting for the store
		}
		try {
			workers().execute(() -> renew(record));
		}
		catch (RejectedExecutionException ex) {
			record.doneRenewing();
		}
	}

	private void renew(HeldKey record) {
		try {
			if (record.isEnded() || record.isLost()) {
				return;
			}
			long sent = System.nanoTime();
			if (this.store.renew(record.held, record.ttl)) {
				record.renewed(sent);
			}
			else {
				cancel(record);
				this.losses.lost(record, "renewal found that the store no longer holds it for this holder (it "
						+ "expired or was taken over)");
			}
		}
		catch (RuntimeException ex) {
			// The store may be back before the lease ends: keep trying until then (the
			// dispatcher reports the loss once the lease is over). Said once per hold.
			if (record.firstRenewalFailure()) {
				logger.warn("Mutex '{}' could not be renewed ({}); trying again until its lease ends", record.key,
						ex.toString());
			}
			retrySoon(record);
		}
		finally {
			record.doneRenewing();
		}
	}

	// One extra attempt, sooner than the next regular one; it goes through dispatch, so
	// it is skipped when the record ended, was lost or is being renewed already.
	private void retrySoon(HeldKey record) {
		long delay = Math.min(Durations.nanos(record.ttl) / 6, TimeUnit.MILLISECONDS.toNanos(RETRY_MAX_MILLIS));
		try {
			dispatcher().schedule(() -> dispatch(record), Math.max(1, delay), TimeUnit.NANOSECONDS);
		}
		catch (IllegalStateException | RejectedExecutionException ex) {
			// shut down: the held keys expire after their time-to-live
		}
	}

	/**
	 * Wait, briefly, until no renewal of an ended record is on its way to the store.
	 * Bounded, so that a hung renewal cannot hang a release: after
	 * {@value #IDLE_WAIT_MILLIS} ms the release goes ahead.
	 * @param record the ended record about to be released
	 */
	void awaitIdle(HeldKey record) {
		if (!record.isRenewing()) {
			return;
		}
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(IDLE_WAIT_MILLIS);
		while (record.isRenewing() && deadline - System.nanoTime() > 0) {
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
		}
	}

	private static void cancel(HeldKey record) {
		ScheduledFuture<?> future = record.renewal();
		if (future != null) {
			future.cancel(false);
		}
	}

	/**
	 * Renewal tasks waiting in the scheduler: one per key being renewed.
	 * @return the number of scheduled renewal tasks
	 */
	synchronized int scheduledTasks() {
		return (this.dispatcher != null) ? this.dispatcher.getQueue().size() : 0;
	}

	private synchronized ScheduledThreadPoolExecutor dispatcher() {
		if (this.shutdown) {
			throw new IllegalStateException("Renewal has been shut down");
		}
		if (this.dispatcher == null) {
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
					threads("mutex-renewal-" + this.instance + "-dispatcher"));
			// Without this, a cancelled task stays queued until its delay passes:
			// 200,000 released keys with a one-hour lease kept 200,000 tasks.
			executor.setRemoveOnCancelPolicy(true);
			executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			this.dispatcher = executor;
		}
		return this.dispatcher;
	}

	private synchronized ThreadPoolExecutor workers() {
		if (this.workers == null) {
			ThreadPoolExecutor executor = new ThreadPoolExecutor(RENEWAL_THREADS, RENEWAL_THREADS, 30, TimeUnit.SECONDS,
					new LinkedBlockingQueue<>(), threads("mutex-renewal-" + this.instance + "-worker"));
			executor.allowCoreThreadTimeOut(true);
			this.workers = executor;
		}
		return this.workers;
	}

	private static ThreadFactory threads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Stop renewing for good: held keys then expire after their time-to-live.
	 */
	synchronized void shutdown() {
		this.shutdown = true;
		if (this.dispatcher != null) {
			// Cancelled, so that their keys no longer count as renewed.
			for (Runnable task : this.dispatcher.shutdownNow()) {
				if (task instanceof Future<?> future) {
					future.cancel(false);
				}
			}
		}
		if (this.workers != null) {
			this.workers.shutdownNow();
		}
	}

}
