package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.store.MutexStore;

/**
 * {@link MutexLock} handed out by {@link MutexTemplate}: one acquisition of one or several keys, released at
 * most once, by its owner thread. Several keys are released in the reverse of the order they were taken in.
 */
final class DefaultMutexLock implements MutexLock {

	private static final Logger logger = LoggerFactory.getLogger(DefaultMutexLock.class);

	private final List<String> keys;

	private final List<MutexStore.Held> held;

	private final List<String> order;

	private final Thread owner;

	private final BiConsumer<DefaultMutexLock, Boolean> onRelease;

	private final @Nullable Duration expire;

	private final boolean renew;

	private final LossRegistry lossCallbacks;

	/** Where loss callbacks are kept: by key, for the holding thread. */
	@FunctionalInterface
	interface LossRegistry {

		void register(String key, Thread holder, Runnable callback);

	}

	private final AtomicBoolean released = new AtomicBoolean();

	/**
	 * @param keys the keys, in the order the caller gave them
	 * @param order the keys in the order they were acquired (matching {@code held})
	 * @param held the acquisitions, in the order they were made
	 * @param owner the thread that made them
	 * @param onRelease told once, on the owner thread, when this lock is released, and whether every key was
	 * still held then
	 * @param expire the time-to-live asked for, or {@code null} for the store's default
	 */
	DefaultMutexLock(List<String> keys, List<String> order, List<MutexStore.Held> held, Thread owner,
			BiConsumer<DefaultMutexLock, Boolean> onRelease, @Nullable Duration expire, boolean renew,
			LossRegistry lossCallbacks) {
		this.keys = List.copyOf(keys);
		this.order = List.copyOf(order);
		this.held = List.copyOf(held);
		this.owner = owner;
		this.onRelease = onRelease;
		this.expire = expire;
		this.renew = renew;
		this.lossCallbacks = lossCallbacks;
	}

	@Override
	public MutexLock onLost(Runnable callback) {
		for (String key : this.keys) {
			this.lossCallbacks.register(key, this.owner, callback);
		}
		return this;
	}

	@Override
	public MutexLock interruptOnLoss() {
		return onLost(() -> {
			// Only while the lock is still held: a pooled thread that has moved on must not be interrupted.
			if (!this.released.get()) {
				this.owner.interrupt();
			}
		});
	}

	@Nullable Duration expire() {
		return this.expire;
	}

	boolean renew() {
		return this.renew;
	}

	@Override
	public List<String> keys() {
		return this.keys;
	}

	Thread owner() {
		return this.owner;
	}

	@Override
	public boolean isHeld() {
		if (this.released.get()) {
			return false;
		}
		for (MutexStore.Held acquisition : this.held) {
			if (!acquisition.isHeld()) {
				return false;
			}
		}
		return true;
	}

	@Override
	public long fencingToken() {
		if (this.keys.size() != 1) {
			throw new IllegalStateException("Mutex " + this.keys + " holds several keys, each with its own token; "
					+ "ask fencingToken(key)");
		}
		return fencingToken(this.keys.get(0));
	}

	@Override
	public long fencingToken(String key) {
		int index = this.order.indexOf(key);
		if (index < 0) {
			throw new IllegalArgumentException("Mutex " + this.keys + " does not hold '" + key + "'");
		}
		if (this.released.get()) {
			throw new MutexLostException(List.of(key), "Mutex '" + key + "' was released; it has no fencing token");
		}
		try {
			return this.held.get(index).fencingToken();
		}
		catch (IllegalStateException ex) {
			throw new MutexLostException(List.of(key), ex.getMessage());
		}
	}

	@Override
	public boolean release() {
		if (Thread.currentThread() != this.owner) {
			throw new IllegalStateException("Mutex " + this.keys + " was acquired by thread '" + this.owner.getName()
					+ "' and only that thread can release it (the locks underneath are bound to their thread); "
					+ "release it there");
		}
		if (!this.released.compareAndSet(false, true)) {
			return false;
		}
		boolean all = true;
		for (int i = this.held.size() - 1; i >= 0; i--) {
			all &= this.held.get(i).release();
		}
		this.onRelease.accept(this, all);
		return all;
	}

	@Override
	public void close() {
		if (Thread.currentThread() != this.owner) {
			// close() is quiet by contract; say loudly in the log that the key is still held.
			logger.warn("{} was closed by thread '{}', which does not own it; it stays held until '{}' releases it",
					this, Thread.currentThread().getName(), this.owner.getName());
			return;
		}
		release();
	}

	@Override
	public String toString() {
		return "MutexLock" + this.keys + "[" + (this.released.get() ? "released" : "held by " + this.owner.getName())
				+ "]";
	}

}
