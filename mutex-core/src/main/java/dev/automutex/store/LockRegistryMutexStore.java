package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.util.Assert;

/**
 * {@link MutexStore} over any Spring Integration {@link LockRegistry}: the local and Redis stores, and any
 * registry a user supplies (JDBC, ZooKeeper, Hazelcast, ...).
 * <p>
 * Per-acquire expiry is passed on to registries whose locks are {@link DistributedLock}s and ignored by others.
 * {@link #isLocked(String)} on an arbitrary registry is answered by a probe: another thread tries the key and,
 * if it got it, releases it at once. Subclasses that can ask their store directly override it.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class LockRegistryMutexStore implements MutexStore, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(LockRegistryMutexStore.class);

	/**
	 * How many idle keys a store remembers for {@link #sweep()} to count; beyond it the count is a lower bound.
	 */
	private static final int MAX_TRACKED_KEYS = 100_000;

	private final LockRegistry<?> registry;

	private final boolean ownsRegistry;

	private final boolean sweepable;

	private final Set<String> obtained = ConcurrentHashMap.newKeySet();

	private final Map<String, Integer> heldHere = new ConcurrentHashMap<>();

	private final ReentrantReadWriteLock sweepGuard = new ReentrantReadWriteLock();

	private final Lock notSweeping = this.sweepGuard.readLock();

	private final Lock sweeping = this.sweepGuard.writeLock();

	private volatile @Nullable ExecutorService probeExecutor;

	/**
	 * Create a store over a registry that someone else manages (a bean, for example).
	 * @param registry the lock registry
	 */
	public LockRegistryMutexStore(LockRegistry<?> registry) {
		this(registry, false);
	}

	/**
	 * Create a store over a registry.
	 * @param registry the lock registry
	 * @param ownsRegistry whether {@link #destroy()} should also destroy the registry
	 */
	protected LockRegistryMutexStore(LockRegistry<?> registry, boolean ownsRegistry) {
		Assert.notNull(registry, "LockRegistry must not be null");
		this.registry = registry;
		this.ownsRegistry = ownsRegistry;
		this.sweepable = registry instanceof ExpirableLockRegistry;
	}

	/**
	 * The registry this store delegates to.
	 * @return the registry
	 */
	public LockRegistry<?> getRegistry() {
		return this.registry;
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait, @Nullable Duration expire) throws InterruptedException {
		Assert.hasLength(key, "key must not be empty");
		Assert.isTrue(!wait.isNegative(), "wait must not be negative");
		if (this.sweepable && this.obtained.size() < MAX_TRACKED_KEYS) {
			this.obtained.add(key);
		}
		// From obtain() until the lock is ours (or refused), a sweep must not evict the lock object: a thread
		// left with an evicted object could lock it beside the holder of a fresh one for the same key.
		Lock lock;
		boolean acquired;
		Lock guard = this.sweepable ? this.notSweeping : null;
		if (guard != null) {
			guard.lock();
		}
		try {
			lock = this.registry.obtain(key);
			acquired = tryLock(lock, wait, expire);
		}
		catch (RuntimeException ex) {
			// RedisLockRegistry wraps an interrupt in CannotAcquireLockException: give it back its own type.
			if (hasInterruptedCause(ex)) {
				Thread.currentThread().interrupt();
				InterruptedException interrupted = new InterruptedException("Interrupted while waiting for '" + key + "'");
				interrupted.initCause(ex);
				throw interrupted;
			}
			throw ex;
		}
		finally {
			if (guard != null) {
				guard.unlock();
			}
		}
		if (!acquired) {
			return null;
		}
		if (this.sweepable) {
			this.heldHere.merge(key, 1, Integer::sum);
		}
		return newHeld(key, lock);
	}

	/**
	 * Make the handle of one successful acquisition. Subclasses that can answer {@link Held#isHeld()} or issue
	 * fencing tokens return their own.
	 * @param key the key
	 * @param lock the registry's lock, now held by the calling thread
	 * @return the handle
	 */
	protected Held newHeld(String key, Lock lock) {
		return () -> release(key, lock);
	}

	private static boolean tryLock(Lock lock, Duration wait, @Nullable Duration expire) throws InterruptedException {
		if (expire != null && lock instanceof DistributedLock distributed) {
			return distributed.tryLock(wait, expire);
		}
		if (wait.isZero()) {
			return lock.tryLock();
		}
		return lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Registries with renewable locks (Redis, JDBC) hold keys with a time-to-live.
	 */
	@Override
	public boolean expires() {
		return this.registry instanceof RenewableLockRegistry;
	}

	@Override
	public boolean renew(String key, Duration ttl) {
		if (!(this.registry instanceof RenewableLockRegistry<?> renewable)) {
			return true;
		}
		try {
			renewable.renewLock(key, ttl);
			return true;
		}
		catch (IllegalStateException ex) {
			return false; // "Could not renew mutex": the key is not ours in the store any more
		}
	}

	/**
	 * Drop the registry's cached lock objects for keys not held in this process, for registries that cache them
	 * ({@link ExpirableLockRegistry}: Redis, JDBC). Counts the keys obtained through this store since the last
	 * sweep that are not held now (up to {@value #MAX_TRACKED_KEYS}). Skips the round, returning 0, while another
	 * thread is taking a key, so that no lock object is evicted between its {@code obtain()} and its lock.
	 */
	@Override
	public int sweep() {
		if (!(this.registry instanceof ExpirableLockRegistry<?> expirable)) {
			return 0;
		}
		// Never wait: while any thread is between obtain() and holding its lock, skip this round.
		if (!this.sweeping.tryLock()) {
			return 0;
		}
		try {
			List<String> idle = new ArrayList<>();
			for (String key : this.obtained) {
				if (!this.heldHere.containsKey(key)) {
					idle.add(key);
				}
			}
			expirable.expireUnusedOlderThan(0);
			idle.forEach(this.obtained::remove);
			return idle.size();
		}
		finally {
			this.sweeping.unlock();
		}
	}

	private static boolean hasInterruptedCause(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof InterruptedException) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Unlock a registry lock, reporting a lost key as {@code false} (with a warning) rather than an exception.
	 * @param key the key
	 * @param lock the registry's lock
	 * @return whether it was released normally
	 */
	protected final boolean release(String key, Lock lock) {
		if (this.sweepable) {
			this.heldHere.computeIfPresent(key, (k, holds) -> (holds > 1) ? holds - 1 : null);
		}
		try {
			lock.unlock();
			return true;
		}
		catch (IllegalStateException | java.util.ConcurrentModificationException ex) {
			// RedisLockRegistry throws ConcurrentModificationException when the key expired in Redis, and
			// IllegalStateException when it no longer owns it: either way the key was lost before release.
			logger.warn("Mutex '{}' was lost before it was released (it expired or was removed from the store); "
					+ "the work it guarded may have overlapped with another holder: {}", key, ex.toString());
			return false;
		}
		catch (RuntimeException ex) {
			// The store could not be reached; the registry has dropped its local hold, and the store frees the
			// key when its expire time passes.
			logger.warn("Mutex '{}' could not be released in the store; it frees itself when its expire time passes",
					key, ex);
			return false;
		}
	}

	/**
	 * Answer by probing: another thread tries the key and releases it at once if it got it. Correct for any
	 * registry whose locks are owned by threads (all of Spring Integration's); subclasses that can ask their
	 * store directly override this.
	 */
	@Override
	public boolean isLocked(String key) {
		Future<Boolean> probe = probeExecutor().submit(() -> {
			Lock lock = this.registry.obtain(key);
			if (lock.tryLock()) {
				lock.unlock();
				return false;
			}
			return true;
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

	private ExecutorService probeExecutor() {
		ExecutorService executor = this.probeExecutor;
		if (executor == null) {
			synchronized (this) {
				executor = this.probeExecutor;
				if (executor == null) {
					AtomicInteger count = new AtomicInteger();
					executor = Executors.newCachedThreadPool((runnable) -> {
						Thread thread = new Thread(runnable, "mutex-probe-" + count.incrementAndGet());
						thread.setDaemon(true);
						return thread;
					});
					this.probeExecutor = executor;
				}
			}
		}
		return executor;
	}

	/**
	 * Stop the probe threads and, if this store created its registry, destroy the registry.
	 */
	@Override
	public void destroy() throws Exception {
		ExecutorService executor = this.probeExecutor;
		if (executor != null) {
			executor.shutdownNow();
		}
		if (this.ownsRegistry && this.registry instanceof DisposableBean disposable) {
			disposable.destroy();
		}
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.registry + "]";
	}

}
