package dev.automutex.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock of one key in a {@link LocalLockRegistry}: a re-entrant exclusive synchronizer
 * whose state holds the hold count in its low 32 bits ({@code 0} free) and a generation
 * in its high 32 bits, counting the times the key became free (so that
 * {@link ReleaseAwait} sees every release, even one followed at once by another
 * acquisition, without costing the release anything); or {@link #RETIRED} once the
 * registry has removed it as idle. A thread that finds a retired entry looks the key up
 * again.
 * <p>
 * The owner is the synchronizer's exclusive owner thread. Readers on other threads read
 * the (volatile) state before the owner: a thread that sees a held state then sees either
 * the current owner, or {@code null} while an acquisition or a release is under way,
 * never an earlier owner. A dead owner's hold is taken over (or freed by a sweep) under
 * this entry's monitor, so two threads cannot both take over one dead owner's hold.
 */
final class KeyEntry extends AbstractQueuedLongSynchronizer {

	private static final long serialVersionUID = 1L;

	private static final Logger logger = LoggerFactory.getLogger(LocalLockRegistry.class);

	static final int ACQUIRED = 0;

	static final int BUSY = 1;

	static final int RETIRED_OUTCOME = 2;

	static final long RETIRED = -1L;

	private static final long HOLDS = 0xFFFF_FFFFL;

	/** Set in the hold count while a hold is being freed. */
	private static final long RELEASING = 1L << 31;

	private static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS
		.toNanos(LocalLockRegistry.LIVENESS_CHECK_MILLIS);

	private static final VarHandle RELEASE_WAITERS;

	static {
		try {
			RELEASE_WAITERS = MethodHandles.lookup().findVarHandle(KeyEntry.class, "releaseWaiters", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * Thrown by tryAcquire on a retired entry, to leave the synchronizer's queue at once.
	 */
	private static final RuntimeException RETIRED_SIGNAL = new RuntimeException("retired", null, false, false) {

		private static final long serialVersionUID = 1L;

	};

	private final transient Object key;

	/**
	 * Threads in {@link ReleaseAwait#await}; the releasing thread notifies only when
	 * there are some.
	 */
	private volatile int releaseWaiters;

	/**
	 * The last fencing token issued; written only by the owner, published by the state.
	 */
	private long lastToken;

	/**
	 * Create an entry already held by {@code owner}, to be published through the
	 * registry's map.
	 * @param key the key
	 * @param owner the thread that holds the key
	 * @param tokenFloor the token the key's fencing tokens start after
	 */
	KeyEntry(Object key, Thread owner, long tokenFloor) {
		this.key = key;
		this.lastToken = tokenFloor;
		setExclusiveOwnerThread(owner);
		setState(1);
	}

	private static int holds(long state) {
		return (int) (state & HOLDS);
	}

	/**
	 * The state of a key that became free once more than in {@code state}.
	 * @param state a state of the entry
	 * @return the state of the freed key, with the next generation and no holds
	 */
	private static long freedAfter(long state) {
		return ((state >>> 32) + 1) << 32;
	}

	/**
	 * Acquire the key for the calling thread, or one more hold if it owns it already.
	 * @param nanos how long to wait: 0 not at all, negative without limit
	 * @param interruptible whether an interrupt ends the wait (else it is kept for later)
	 * @return {@link #ACQUIRED}, {@link #BUSY} on time-out, or {@link #RETIRED_OUTCOME}
	 */
	int acquire(long nanos, boolean interruptible) throws InterruptedException {
		boolean interrupted = false;
		try {
			if (tryAcquire(1)) {
				return ACQUIRED;
			}
			long deadline = System.nanoTime() + Math.max(nanos, 0);
			while (true) {
				if (takeOverIfOwnerDead()) {
					return ACQUIRED;
				}
				long slice = LIVENESS_CHECK_NANOS;
				if (nanos >= 0) {
					long remaining = deadline - System.nanoTime();
					if (remaining <= 0) {
						return BUSY;
					}
					slice = Math.min(slice, remaining);
				}
				try {
					if (tryAcquireNanos(1, slice)) {
						return ACQUIRED;
					}
				}
				catch (InterruptedException ex) {
					if (interruptible) {
						throw ex;
					}
					interrupted = true;
				}
			}
		}
		catch (RuntimeException ex) {
			if (ex == RETIRED_SIGNAL) {
				return RETIRED_OUTCOME;
			}
			throw ex;
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Release one hold of the calling thread, which must own the entry.
	 * @return whether the key is free now (the last hold was released)
	 */
	boolean release() {
		return release(1);
	}

	/**
	 * The next fencing token of this key, for the owner that has just acquired it.
	 * @return the next fencing token
	 */
	long nextToken() {
		return ++this.lastToken;
	}

	long lastToken() {
		return this.lastToken;
	}

	@Nullable Thread owner() {
		long state = getState();
		return (state != RETIRED && holds(state) > 0) ? getExclusiveOwnerThread() : null;
	}

	boolean isHeldByLiveThread() {
		return isHeldByLiveThread(getState());
	}

	/**
	 * Whether a state is held by a thread that is alive.
	 * @param state a state read from this entry
	 * @return {@code true} if held and the owner lives (or is being set)
	 */
	boolean isHeldByLiveThread(long state) {
		if (state == RETIRED || holds(state) == 0) {
			return false;
		}
		Thread owner = getExclusiveOwnerThread();
		// No owner yet: an acquisition is under way, so the key is held.
		return owner == null || owner.isAlive();
	}

	@Override
	protected boolean tryAcquire(long acquires) {
		long state = getState();
		if (state == RETIRED) {
			throw RETIRED_SIGNAL;
		}
		if (holds(state) == 0) {
			if (compareAndSetState(state, state + 1)) {
				setExclusiveOwnerThread(Thread.currentThread());
				return true;
			}
			return false;
		}
		// A re-entrant hold: compare-and-set, as a forced release may change the state.
		return (state & RELEASING) == 0 && getExclusiveOwnerThread() == Thread.currentThread()
				&& compareAndSetState(state, state + 1);
	}

	@Override
	protected boolean tryRelease(long releases) {
		if (getExclusiveOwnerThread() != Thread.currentThread()) {
			throw new IllegalMonitorStateException("Lock '" + this.key + "' is not held by " + Thread.currentThread());
		}
		while (true) {
			long state = getState();
			if ((state & RELEASING) != 0 || getExclusiveOwnerThread() != Thread.currentThread()) {
				throw new IllegalMonitorStateException(
						"Lock '" + this.key + "' is not held by " + Thread.currentThread());
			}
			if (holds(state) > releases) {
				if (compareAndSetState(state, state - releases)) {
					return false;
				}
			}
			else if (free(state)) {
				return true;
			}
		}
	}

	/**
	 * Free a held key in two steps, so that the owner field is cleared only by the thread
	 * that won the state: mark the state releasing (nobody else can acquire, release or
	 * force it then), clear the owner, publish the free state.
	 * @param state the held state read
	 * @return whether this thread freed it; {@code false} if the state changed first
	 */
	private boolean free(long state) {
		if (!compareAndSetState(state, state | RELEASING)) {
			return false;
		}
		setExclusiveOwnerThread(null);
		setState(freedAfter(state));
		if (this.releaseWaiters > 0) {
			signalRelease();
		}
		return true;
	}

	/**
	 * Make another thread the owner of a hold, which that thread then releases.
	 * @param from the owner now
	 * @param to the new owner
	 * @return {@code false} if {@code from} no longer owns the entry (force-released)
	 */
	synchronized boolean transferOwner(Thread from, Thread to) {
		long state = getState();
		if (state == RETIRED || holds(state) <= 0 || (state & RELEASING) != 0 || getExclusiveOwnerThread() != from) {
			return false;
		}
		// Forced releases and dead-owner take-overs hold this monitor; the owner's own
		// release is the calling thread: nothing else writes the owner of a held entry.
		setExclusiveOwnerThread(to);
		return true;
	}

	/**
	 * Free the key whoever holds it, for an operator ({@code forceRelease}): the first
	 * queued thread then takes it, and the holder's own release later finds it lost.
	 * @return the thread that held it, or {@code null} if it was free (or being released)
	 */
	@Nullable Thread forceRelease() {
		Thread owner;
		synchronized (this) {
			while (true) {
				long state = getState();
				owner = getExclusiveOwnerThread();
				if (state == RETIRED || holds(state) == 0 || (state & RELEASING) != 0) {
					return null;
				}
				if (owner == null) {
					Thread.onSpinWait(); // an acquisition sets its owner next
				}
				else if (free(state)) {
					notifyAll();
					break;
				}
			}
		}
		Thread next = getFirstQueuedThread();
		if (next != null) {
			LockSupport.unpark(next);
		}
		return owner;
	}

	@Override
	protected boolean isHeldExclusively() {
		return getExclusiveOwnerThread() == Thread.currentThread();
	}

	private boolean takeOverIfOwnerDead() {
		Thread owner = deadOwner();
		if (owner == null) {
			return false;
		}
		synchronized (this) {
			long state = getState();
			if (state != RETIRED && holds(state) > 0 && getExclusiveOwnerThread() == owner
					&& compareAndSetState(state, freedAfter(state) + 1)) {
				setExclusiveOwnerThread(Thread.currentThread());
				notifyAll();
				logger.warn("Mutex '{}' was held by thread '{}', which ended without releasing it; taken over by '{}'",
						this.key, owner.getName(), Thread.currentThread().getName());
				return true;
			}
			return false;
		}
	}

	/**
	 * Free the key if its owner has ended (a sweep); the first queued thread then takes
	 * it.
	 * @return whether the key was freed
	 */
	boolean freeIfOwnerDead() {
		Thread owner = deadOwner();
		if (owner == null) {
			return false;
		}
		synchronized (this) {
			long state = getState();
			if (state == RETIRED || holds(state) == 0 || getExclusiveOwnerThread() != owner) {
				return false;
			}
			setExclusiveOwnerThread(null);
			setState(freedAfter(state));
			notifyAll();
		}
		logger.warn("Mutex '{}' was held by thread '{}', which ended without releasing it; freed by a sweep", this.key,
				owner.getName());
		Thread next = getFirstQueuedThread();
		if (next != null) {
			LockSupport.unpark(next);
		}
		return true;
	}

	private @Nullable Thread deadOwner() {
		long state = getState();
		if (state == RETIRED || holds(state) == 0) {
			return null;
		}
		Thread owner = getExclusiveOwnerThread();
		return (owner != null && !owner.isAlive()) ? owner : null;
	}

	/**
	 * Mark the entry retired if nobody holds it, waits for it or waits for its release.
	 * @return whether it was retired; the caller then removes it from the map
	 */
	boolean retireIfIdle() {
		long state = getState();
		return state != RETIRED && holds(state) == 0 && !hasQueuedThreads() && this.releaseWaiters == 0
				&& compareAndSetState(state, RETIRED);
	}

	/**
	 * Wake threads that queued on this entry after it was retired, so that they look the
	 * key up again.
	 */
	void wakeQueued() {
		for (Thread queued : getQueuedThreads()) {
			LockSupport.unpark(queued);
		}
	}

	/**
	 * The synchronizer state: the generation of releases and the hold count, or
	 * {@link #RETIRED}.
	 * @return the state
	 */
	long state() {
		return getState();
	}

	/**
	 * Count a thread in or out of {@link ReleaseAwait#await}: a release notifies this
	 * entry's monitor only while some are in.
	 * @param delta {@code 1} in, {@code -1} out
	 */
	void countReleaseWaiter(int delta) {
		RELEASE_WAITERS.getAndAdd(this, delta);
	}

	private void signalRelease() {
		synchronized (this) {
			notifyAll();
		}
	}

	@Override
	public String toString() {
		return "KeyEntry[" + this.key + ", state=" + getState() + "]";
	}

}
