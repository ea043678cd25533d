package dev.automutex.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.locks.DistributedLock;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.util.Assert;

/**
 * {@link LockRegistryMutexStore} for a registry whose locks have a time-to-live and can
 * be renewed ({@link RenewableLockRegistry}: Spring Integration's Redis and JDBC
 * registries). Each key is acquired with an explicit time-to-live (the caller's
 * {@code expire}, else this store's default) where the registry's locks are
 * {@link DistributedLock}s, and renewed with
 * {@link RenewableLockRegistry#renewLock(Object, Duration)}.
 * <p>
 * {@link Held#isHeld()} asks the registry by renewing the lease (which extends it as a
 * side effect); the lease left is not known to a generic registry. Thread-safe.
 *
 * @since 0.1.0
 */
public class RenewableLockRegistryMutexStore extends LockRegistryMutexStore implements RenewableMutexStore {

	private final RenewableLockRegistry<?> renewable;

	private final Duration defaultExpire;

	/**
	 * Create a store.
	 * @param registry the registry
	 * @param defaultExpire the time-to-live of keys acquired without one
	 * @param ownsRegistry whether {@link #destroy()} should also destroy the registry
	 */
	public RenewableLockRegistryMutexStore(RenewableLockRegistry<?> registry, Duration defaultExpire,
			boolean ownsRegistry) {
		super(registry, ownsRegistry);
		Assert.notNull(defaultExpire, "defaultExpire must not be null");
		Assert.isTrue(defaultExpire.compareTo(Duration.ofMillis(1)) >= 0, "defaultExpire must be at least 1ms");
		this.renewable = registry;
		this.defaultExpire = defaultExpire;
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait) throws InterruptedException {
		return tryAcquire(key, wait, this.defaultExpire);
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) throws InterruptedException {
		return acquire(key, wait, expire);
	}

	@Override
	public Duration defaultExpire() {
		return this.defaultExpire;
	}

	/**
	 * Not known to a generic registry.
	 * @return {@code null}
	 */
	@Override
	public @Nullable Duration leaseLeft(String key) {
		return null;
	}

	@Override
	public boolean renew(Held held, Duration ttl) {
		Assert.isInstanceOf(RegistryHeld.class, held, "Not an acquisition of this store");
		if (((RegistryHeld) held).isReleased()) {
			return false;
		}
		try {
			this.renewable.renewLock(held.key(), ttl);
			return true;
		}
		catch (IllegalMonitorStateException ex) {
			throw new UnsupportedOperationException(this.renewable.getClass().getSimpleName()
					+ " renews a lock only on "
					+ "the thread that holds it, and AutoMutex renews on its own threads, so this key's lease is not "
					+ "renewed and ends after its expire: use an expire longer than the work (renewal off)", ex);
		}
		catch (IllegalStateException ex) {
			return false; // "Could not renew mutex": the key is not ours in the store any
							// more
		}
	}

	@Override
	protected boolean isStillHeld(RegistryHeld held) {
		return renew(held, (held.expire != null) ? held.expire : this.defaultExpire);
	}

}
