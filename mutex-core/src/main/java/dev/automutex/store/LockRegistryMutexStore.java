package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

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
 * {@link MutexStore} over any Spring Integration {@link LockRegistry} (ZooKeeper,
 * Hazelcast, a JDBC or Redis registry of the application's own, ...). Create one with
 * {@link #of(LockRegistry)}, which picks {@link RenewableLockRegistryMutexStore} for
 * registries whose locks have a time-to-live.
 * <p>
 * <b>Sweeping.</b> Registries that cache a lock object per key
 * ({@link ExpirableLockRegistry}) are swept with {@code expireUnusedOlderThan(0)}. A
 * thread that holds a lock object between {@code obtain()} and holding the lock must
 * never see it evicted (another thread could then lock a fresh object for the same key
 * beside it), so every path that touches a lock object, acquisitions and
 * {@link #isLocked(String) probes} alike, runs under the read side of a fair guard whose
 * write side the sweep takes. Waits are taken in slices of {@value #WAIT_SLICE_MILLIS}
 * ms, each under the guard, so that a sweep gets its turn within one slice however busy
 * the keys are.
 * <p>
 * {@link #isLocked(String)} on an arbitrary registry is answered by a probe: another
 * thread tries the key and, if it got it, releases it at once. Subclasses that can ask
 * their store directly override it.
 * <p>
 * Thread-safe.
 *
 * @since 0.1.0
 */
public class LockRegistryMutexStore implements SweepableMutexStore, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(LockRegistryMutexStore.class);

	/**
	 * The longest a waiting acquisition keeps the sweep guard before it lets a pending
	 * sweep run.
	 */
	public static final long WAIT_SLICE_MILLIS = 200;

	/**
	 * The time-to-live of keys in registries with leases when none is given.
	 */
	public static final Duration DEFAULT_EXPIRE = Duration.ofSeconds(10);

	private static final long SWEEP_WAIT_MILLIS = 5 * WAIT_SLICE_MILLIS;

	/**
	 * How many idle keys a store remembers for {@link #sweep()} to count; beyond it the
	 * count is a lower bound.
	 */
	private static final int MAX_TRACKED_KEYS = 100_000;

	private final LockRegistry<?> registry;

	private final boolean ownsRegistry;

	private final boolean sweepable;

	private final Set<String> obtained = ConcurrentHashMap.newKeySet();

	private final Map<String, Integer> heldHere = new ConcurrentHashMap<>();

	private final SweepGuard guard = new SweepGuard();

	private final RegistryProbe probe;

	private volatile long waitSliceNanos = TimeUnit.MILLISECONDS.toNanos(WAIT_SLICE_MILLIS);

	/**
	 * Create a store over a registry that someone else manages (a bean, for example). Its
	 * keys are held until released: use {@link #of(LockRegistry)} for a registry with
	 * leases.
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
		this.probe = new RegistryProbe(registry, this.guard);
	}

	/**
	 * Create the store that fits a registry: with leases and renewal for a
	 * {@link RenewableLockRegistry} (Redis, JDBC), whose keys are then held with a
	 * time-to-live of {@link #DEFAULT_EXPIRE} unless one is given.
	 * @param registry the registry, managed by someone else
	 * @return the store
	 */
	public static LockRegistryMutexStore of(LockRegistry<?> registry) {
		return of(registry, DEFAULT_EXPIRE);
	}

	/**
	 * Create the store that fits a registry, with the given default time-to-live for
	 * registries with leases.
	 * @param registry the registry, managed by someone else
	 * @param defaultExpire the time-to-live of keys acquired without one (used only by
	 * registries with leases)
	 * @return the store
	 */
	public static LockRegistryMutexStore of(LockRegistry<?> registry, Duration defaultExpire) {
		if (registry instanceof RenewableLockRegistry<?> renewable) {
			return new RenewableLockRegistryMutexStore(renewable, defaultExpire, false);
		}
		return new LockRegistryMutexStore(registry);
	}

	/**
	 * Set how long a waiting acquisition keeps the sweep guard before it lets a pending
	 * sweep run, trying again afterwards ({@value #WAIT_SLICE_MILLIS} ms by default).
	 * Each slice is a new attempt at the registry, so a registry whose waiters queue in
	 * order (ZooKeeper) loses that order; {@link Duration#ZERO} waits in one piece, and a
	 * sweep then skips its round while an acquisition waits.
	 * @param waitSlice the slice; zero for none
	 */
	public void setWaitSlice(Duration waitSlice) {
		Assert.isTrue(waitSlice != null && !waitSlice.isNegative(), "waitSlice must not be negative");
		this.waitSliceNanos = waitSlice.toNanos();
	}

	/**
	 * The registry this store delegates to.
	 * @return the registry
	 */
	public LockRegistry<?> getRegistry() {
		return this.registry;
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
		return acquire(key, wait, null);
	}

	/**
	 * Take the key, with a time-to-live for registries whose locks are
	 * {@link DistributedLock}s.
	 * @param key the key
	 * @param wait how long to wait
	 * @param expire the time-to-live, or {@code null} for the registry's own
	 * @return the acquisition, or {@code null} on time-out
	 */
	protected final @Nullable Held acquire(String key, Duration wait, @Nullable Duration expire)
			throws InterruptedException {
		Assert.hasLength(key, "key must not be empty");
		Assert.isTrue(!wait.isNegative(), "wait must not be negative");
		if (this.sweepable && this.obtained.size() < MAX_TRACKED_KEYS) {
			this.obtained.add(key);
		}
		long waitNanos = LocalLockRegistry.saturatedNanos(wait);
		long deadline = System.nanoTime() + Math.min(waitNanos, Long.MAX_VALUE / 2);
		long sliceNanos = (this.sweepable && this.waitSliceNanos > 0) ? this.waitSliceNanos : Long.MAX_VALUE;
		while (true) {
			long remaining = (waitNanos == 0) ? 0 : Math.max(0, deadline - System.nanoTime());
			long slice = Math.min(remaining, sliceNanos);
			Lock lock;
			boolean acquired;
			Lock guard = this.guard.enter(slice == 0);
			try {
				lock = this.registry.obtain(key);
				acquired = RegistryAttempt.tryLock(lock, key, slice, expire);
			}
			finally {
				guard.unlock();
			}
			if (acquired) {
				if (this.sweepable) {
					this.heldHere.merge(key, 1, Integer::sum);
				}
				return new RegistryHeld(this, key, lock, expire);
			}
			if (remaining - slice <= 0) {
				return null;
			}
		}
	}

	/**
	 * Drop the registry's cached lock objects for keys not held in this process, for
	 * registries that cache them ({@link ExpirableLockRegistry}: Redis, JDBC). Counts the
	 * keys obtained through this store since the last sweep that are not held now (up to
	 * {@value #MAX_TRACKED_KEYS}). Waits for running acquisitions to finish their current
	 * slice (at most about a second), then evicts; returns 0 if it could not get its
	 * turn.
	 */
	@Override
	public int sweep() {
		if (!(this.registry instanceof ExpirableLockRegistry<?> expirable)) {
			return 0;
		}
		Lock writeSide = this.guard.enterSweep(SWEEP_WAIT_MILLIS);
		if (writeSide == null) {
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
			writeSide.unlock();
		}
	}

	/**
	 * Whether a sweep waits for the guard now (for tests).
	 * @return {@code true} if a sweep is waiting
	 */
	boolean isSweepPending() {
		return this.guard.isSweepPending();
	}

	/**
	 * Unlock a registry lock, reporting a lost key as {@code false} (with a warning)
	 * rather than an exception.
	 * @param held the held registry lock
	 * @return {@code true} if released, {@code false} if the key was lost before
	 */
	final boolean release(RegistryHeld held) {
		if (this.sweepable) {
			this.heldHere.computeIfPresent(held.key, (k, holds) -> (holds > 1) ? holds - 1 : null);
		}
		// A Redis client cancels the command of an interrupted caller (Lettuce does),
		// which
		// would leave the key in the store until its lease ends: release with the
		// interrupt status cleared, and give it back after.
		boolean interrupted = Thread.interrupted();
		try {
			held.lock.unlock();
			return true;
		}
		catch (IllegalStateException | java.util.ConcurrentModificationException ex) {
			// RedisLockRegistry throws ConcurrentModificationException when the key
			// expired in Redis, and IllegalStateException when it no longer owns it:
			// either way the key was lost before release.
			logger.warn(
					"Mutex '{}' was lost before it was released (it expired or was removed from the store); "
							+ "the work it guarded may have overlapped with another holder: {}",
					held.key, ex.toString());
			return false;
		}
		// Any other exception: the store could not be reached, which says nothing about
		// whether the key was lost. The registry has dropped its local hold; the store
		// frees the key when its lease ends.
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Whether the store still holds the key for an acquisition that has not been
	 * released. Keys in a registry without leases cannot be lost: this answers
	 * {@code true}. Subclasses with leases ask their store.
	 * @param held the acquisition, not released
	 * @return whether the store still holds it
	 */
	protected boolean isStillHeld(RegistryHeld held) {
		return true;
	}

	/**
	 * Answer by probing: another thread, under the sweep guard, tries the key and
	 * releases it at once if it got it. Correct for any registry whose locks are owned by
	 * threads (all of Spring Integration's); subclasses that can ask their store directly
	 * override this.
	 */
	@Override
	public boolean isLocked(String key) {
		return this.probe.isLocked(key);
	}

	/**
	 * Stop the probe threads and, if this store created its registry, destroy the
	 * registry.
	 */
	@Override
	public void destroy() throws Exception {
		this.probe.shutdown();
		if (this.ownsRegistry && this.registry instanceof DisposableBean disposable) {
			disposable.destroy();
		}
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.registry + "]";
	}

}
