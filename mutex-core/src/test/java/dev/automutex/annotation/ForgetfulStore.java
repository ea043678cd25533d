package dev.automutex.annotation;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;

/**
 * A local store that, once told to, says it holds none of the keys it handed out, as
 * Redis does after a restart without persistence: releases still work, {@code isHeld()}
 * says no.
 */
final class ForgetfulStore implements MutexStore {

	private final LocalMutexStore local = new LocalMutexStore();

	private final AtomicBoolean losesKeys;

	ForgetfulStore(AtomicBoolean losesKeys) {
		this.losesKeys = losesKeys;
	}

	/**
	 * A store that has lost every key by the time anyone asks.
	 * @return the store
	 */
	static ForgetfulStore losingEveryKey() {
		return new ForgetfulStore(new AtomicBoolean(true));
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
		Held held = this.local.tryAcquire(key, wait);
		return (held != null) ? new Held() {

			@Override
			public String key() {
				return key;
			}

			@Override
			public boolean release() {
				return held.release();
			}

			@Override
			public boolean isHeld() {
				return !ForgetfulStore.this.losesKeys.get() && held.isHeld();
			}

		} : null;
	}

	@Override
	public boolean isLocked(String key) {
		return this.local.isLocked(key);
	}

}
