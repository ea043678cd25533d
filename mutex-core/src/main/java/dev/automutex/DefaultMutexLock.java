package dev.automutex;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.store.MutexStore;

/**
 * {@link MutexLock} handed out by {@link MutexTemplate}: one acquisition, released at most once, by its owner
 * thread.
 */
final class DefaultMutexLock implements MutexLock {

	private static final Logger logger = LoggerFactory.getLogger(DefaultMutexLock.class);

	private final List<String> keys;

	private final MutexStore.Held held;

	private final Thread owner;

	private final AtomicBoolean released = new AtomicBoolean();

	DefaultMutexLock(List<String> keys, MutexStore.Held held, Thread owner) {
		this.keys = keys;
		this.held = held;
		this.owner = owner;
	}

	@Override
	public List<String> keys() {
		return this.keys;
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
		return this.held.release();
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
