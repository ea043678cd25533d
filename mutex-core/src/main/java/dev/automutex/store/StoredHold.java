package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * One key held in a shared store, by this instance or another, as
 * {@link ListableMutexStore#heldKeys(int)} finds it.
 *
 * @param key the key text
 * @param thisInstance whether this instance (this registry) holds it
 * @param leaseLeft how long the store keeps it unless it is renewed or released, or
 * {@code null} where it does not expire
 * @since 0.1.0
 */
public record StoredHold(String key, boolean thisInstance, @Nullable Duration leaseLeft) {

	/**
	 * Create an entry.
	 * @param key the key text
	 * @param thisInstance whether this instance holds it
	 * @param leaseLeft the lease left, or {@code null}
	 */
	public StoredHold {
		Assert.notNull(key, "key must not be null");
	}

}
