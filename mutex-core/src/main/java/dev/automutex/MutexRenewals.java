package dev.automutex;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.store.MutexStore;

/**
 * Keeps held keys alive in stores with expiry (Locker's leases): while a key is held through a
 * {@link MutexTemplate}, its time-to-live is renewed every third of it, so work longer than {@code expire} keeps
 * the key, and {@code expire} only says how soon a crashed holder's key frees itself.
 * <p>
 * One task per held key, not per re-entrant hold; one shared daemon thread for all keys of the template. A task
 * stops when its key's last hold is released, or when renewal fails (the key expired or was taken over), which
 * is logged as a warning.
 */
final class MutexRenewals {

	private static final Logger logger = LoggerFactory.getLogger(MutexRenewals.class);

	private static final AtomicInteger instances = new AtomicInteger();

	private final MutexStore store;

	// Each task belongs to the thread whose hold started it: the callbacks of one holder's last release and the
	// next holder's first hold of the same key can interleave, and the first must not stop the second's task.
	private final Map<String, Task> tasks = new ConcurrentHashMap<>();

	private volatile @Nullable ScheduledExecutorService scheduler;

	private final BiConsumer<String, Thread> onLost;

	/**
	 * @param store where keys are renewed
	 * @param onLost told, on the renewal thread, of a key the store no longer holds for the given holder
	 */
	MutexRenewals(MutexStore store, BiConsumer<String, Thread> onLost) {
		this.store = store;
		this.onLost = onLost;
	}

	void start(String key, Thread holder, Duration ttl) {
		this.tasks.compute(key, (k, existing) -> {
			if (existing != null) {
				if (existing.holder == holder) {
					return existing;
				}
				existing.cancel();
			}
			return new Task(k, holder, ttl);
		});
	}

	void stop(String key, Thread holder) {
		this.tasks.computeIfPresent(key, (k, task) -> {
			if (task.holder != holder) {
				return task;
			}
			task.cancel();
			return null;
		});
	}

	/**
	 * How many keys are being renewed now.
	 */
	int size() {
		return this.tasks.size();
	}

	/**
	 * The renewal of one hold. It only ever removes itself, so it cannot end the renewal of a later holder of
	 * the same key.
	 */
	private final class Task implements Runnable {

		private final String key;

		private final Thread holder;

		private final Duration ttl;

		private final ScheduledFuture<?> future;

		Task(String key, Thread holder, Duration ttl) {
			this.key = key;
			this.holder = holder;
			this.ttl = ttl;
			long period = Math.max(1, ttl.toMillis() / 3);
			this.future = scheduler().scheduleWithFixedDelay(this, period, period, TimeUnit.MILLISECONDS);
		}

		@Override
		public void run() {
			if (!this.holder.isAlive()) {
				// The holder ended without releasing: stop, and let the key expire as a crashed holder's would.
				end();
				return;
			}
			try {
				if (!MutexRenewals.this.store.renew(this.key, this.ttl)) {
					logger.warn("Mutex '{}' could not be renewed: it expired or another holder took it, so its holder "
							+ "is no longer alone; renewal stopped", this.key);
					if (end()) {
						MutexRenewals.this.onLost.accept(this.key, this.holder);
					}
				}
			}
			catch (RuntimeException ex) {
				// The store may be back before the key expires: keep trying until the key is released.
				logger.warn("Mutex '{}' could not be renewed this time: {}", this.key, ex.toString());
			}
		}

		private boolean end() {
			cancel();
			return MutexRenewals.this.tasks.remove(this.key, this);
		}

		void cancel() {
			this.future.cancel(false);
		}

	}

	private ScheduledExecutorService scheduler() {
		ScheduledExecutorService current = this.scheduler;
		if (current == null) {
			synchronized (this) {
				current = this.scheduler;
				if (current == null) {
					current = Executors.newSingleThreadScheduledExecutor((runnable) -> {
						Thread thread = new Thread(runnable, "mutex-renewal-" + instances.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
					this.scheduler = current;
				}
			}
		}
		return current;
	}

	void shutdown() {
		ScheduledExecutorService current = this.scheduler;
		this.scheduler = null;
		if (current != null) {
			current.shutdownNow();
		}
		this.tasks.clear();
	}

}
