package dev.automutex.store;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.LockRegistry;

/**
 * Answers "is this key held?" for a registry that cannot say: another thread, under the
 * sweep guard, tries the key and releases it at once if it got it. Correct for any
 * registry whose locks are owned by threads (all of Spring Integration's). Probe threads
 * are daemons, created on demand.
 */
final class RegistryProbe {

	private final LockRegistry<?> registry;

	private final SweepGuard guard;

	private volatile @Nullable ExecutorService executor;

	RegistryProbe(LockRegistry<?> registry, SweepGuard guard) {
		this.registry = registry;
		this.guard = guard;
	}

	boolean isLocked(String key) {
		Future<Boolean> probe = executor().submit(() -> {
			Lock entered = this.guard.enter(true);
			try {
				Lock lock = this.registry.obtain(key);
				if (lock.tryLock()) {
					lock.unlock();
					return false;
				}
				return true;
			}
			finally {
				entered.unlock();
			}
		});
		try {
			return probe.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			probe.cancel(true);
			throw new IllegalStateException("Interrupted while checking whether '" + key + "' is locked", ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException("Could not check whether '" + key + "' is locked", ex.getCause());
		}
	}

	private ExecutorService executor() {
		ExecutorService current = this.executor;
		if (current == null) {
			synchronized (this) {
				current = this.executor;
				if (current == null) {
					AtomicInteger count = new AtomicInteger();
					current = Executors.newCachedThreadPool((runnable) -> {
						Thread thread = new Thread(runnable, "mutex-probe-" + count.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
					this.executor = current;
				}
			}
		}
		return current;
	}

	void shutdown() {
		ExecutorService current = this.executor;
		if (current != null) {
			current.shutdownNow();
		}
	}

}
