package dev.automutex.store;

import java.time.Duration;
import java.util.concurrent.locks.Lock;

import org.jspecify.annotations.Nullable;

/**
 * One acquisition of a registry lock.
 */
final class RegistryHeld implements MutexStore.Held {

	private final LockRegistryMutexStore store;

	final String key;

	final Lock lock;

	final @Nullable Duration expire;

	private volatile boolean released;

	RegistryHeld(LockRegistryMutexStore store, String key, Lock lock, @Nullable Duration expire) {
		this.store = store;
		this.key = key;
		this.lock = lock;
		this.expire = expire;
	}

	@Override
	public String key() {
		return this.key;
	}

	boolean isReleased() {
		return this.released;
	}

	@Override
	public boolean release() {
		if (this.released) {
			return false;
		}
		this.released = true;
		return this.store.release(this);
	}

	@Override
	public boolean isHeld() {
		return !this.released && this.store.isStillHeld(this);
	}

}
