package dev.automutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MutexLock} handed out by {@link MutexTemplate}: one acquisition of one or
 * several keys, released at most once, by its owner thread. Each key is a {@link HeldKey}
 * record, shared with the thread's nested holds of the same key; several keys are
 * released in the reverse of the order they were taken in.
 */
final class DefaultMutexLock implements MutexLock {

	private static final Logger logger = LoggerFactory.getLogger(DefaultMutexLock.class);

	private static final VarHandle RELEASED;

	static {
		try {
			RELEASED = MethodHandles.lookup().findVarHandle(DefaultMutexLock.class, "released", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Acquirer acquirer;

	private final List<String> keys;

	private final HeldKey[] records;

	private final Thread owner;

	/** The owner thread's list of held locks, which this lock is in until released. */
	private final List<DefaultMutexLock> threadLocks;

	private volatile boolean released;

	/**
	 * Create the lock of one acquisition, and add it to the owner thread's held locks.
	 * @param acquirer the acquirer that releases the records
	 * @param keys the keys, in the order the caller gave them
	 * @param records the records, in the order they were acquired
	 * @param owner the thread that acquired the keys and alone may release them
	 * @param threadLocks the owner thread's list of held locks
	 * ({@link ThreadLocks#current()})
	 */
	DefaultMutexLock(Acquirer acquirer, List<String> keys, HeldKey[] records, Thread owner,
			List<DefaultMutexLock> threadLocks) {
		this.acquirer = acquirer;
		this.keys = keys;
		this.records = records;
		this.owner = owner;
		this.threadLocks = threadLocks;
		threadLocks.add(this);
	}

	Acquirer acquirer() {
		return this.acquirer;
	}

	boolean isReleased() {
		return this.released;
	}

	@Override
	public List<String> keys() {
		return this.keys;
	}

	/**
	 * Keep every key of this lock held at least this long from now, even if released
	 * sooner. Called by the holder thread right after acquisition.
	 * @param holdAtLeast the minimum hold
	 */
	void holdAtLeast(Duration holdAtLeast) {
		long until = System.nanoTime() + Durations.nanos(holdAtLeast);
		for (HeldKey record : this.records) {
			record.holdUntil(until);
		}
	}

	@Override
	public boolean release() {
		if (Thread.currentThread() != this.owner) {
			throw new IllegalStateException("Mutex " + this.keys + " was acquired by thread '" + this.owner.getName()
					+ "' and only that thread can release it (locks belong to the thread that takes them); "
					+ "release it there");
		}
		if (this.released) {
			return false;
		}
		// Only the owner thread writes it; an ordered store suffices for the readers on
		// other threads.
		RELEASED.setRelease(this, true);
		ThreadLocks.remove(this.threadLocks, this);
		boolean clean = true;
		for (int i = this.records.length - 1; i >= 0; i--) {
			clean &= this.acquirer.release(this.records[i], this);
		}
		return clean;
	}

	@Override
	public boolean isHeld() {
		if (this.released) {
			return false;
		}
		for (HeldKey record : this.records) {
			if (!this.acquirer.checks().isHeld(record)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * The record of one of this lock's keys, while the lock is not released.
	 * @param key the key text
	 * @return the record, or {@code null} if this lock does not hold the key (any more)
	 */
	@Nullable HeldKey record(String key) {
		if (this.released) {
			return null;
		}
		for (HeldKey record : this.records) {
			if (record.key.equals(key)) {
				return record;
			}
		}
		return null;
	}

	@Override
	public boolean isLost() {
		for (HeldKey record : this.records) {
			if (record.wasLost()) {
				return true;
			}
		}
		return false;
	}

	@Override
	public long fencingToken() {
		if (this.records.length != 1) {
			throw new IllegalStateException(
					"Mutex " + this.keys + " holds several keys, each with its own token; " + "ask fencingToken(key)");
		}
		return fencingToken(this.keys.get(0));
	}

	@Override
	public long fencingToken(String key) {
		for (HeldKey record : this.records) {
			if (record.key.equals(key)) {
				if (this.released) {
					throw new MutexLostException(List.of(key),
							"Mutex '" + key + "' was released; it has no fencing token");
				}
				return this.acquirer.checks().fencingToken(record);
			}
		}
		throw new IllegalArgumentException("Mutex " + this.keys + " does not hold '" + key + "'");
	}

	@Override
	public MutexLock onLost(Runnable callback) {
		if (callback == null) {
			throw new IllegalArgumentException("callback must not be null");
		}
		// Once per lock, however many of its keys are lost.
		AtomicBoolean ran = new AtomicBoolean();
		Runnable once = () -> {
			if (ran.compareAndSet(false, true)) {
				callback.run();
			}
		};
		register(once, false);
		return this;
	}

	@Override
	public MutexLock interruptOnLoss() {
		register(() -> {
			// Only while the lock is still held: a pooled thread that has moved on must
			// not be interrupted.
			if (!this.released) {
				this.owner.interrupt();
			}
		}, true);
		return this;
	}

	private void register(Runnable callback, boolean inline) {
		if (this.released) {
			return;
		}
		for (HeldKey record : this.records) {
			if (!record.addCallback(this, callback, inline)) {
				// The loss was reported before this registration: run it now, on this
				// thread.
				callback.run();
			}
		}
	}

	@Override
	public void close() {
		if (Thread.currentThread() != this.owner) {
			// close() is quiet by contract; say loudly in the log that the key is still
			// held.
			logger.warn("{} was closed by thread '{}', which does not own it; it stays held until '{}' releases it",
					this, Thread.currentThread().getName(), this.owner.getName());
			return;
		}
		try {
			release();
		}
		catch (RuntimeException ex) {
			logger.warn("Releasing {} failed", this, ex);
		}
	}

	@Override
	public String toString() {
		return "MutexLock" + this.keys + "[" + (this.released ? "released" : "held by " + this.owner.getName()) + "]";
	}

}
