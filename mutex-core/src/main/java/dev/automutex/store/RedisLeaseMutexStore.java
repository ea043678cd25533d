package dev.automutex.store;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * {@link MutexStore} on AutoMutex's own Redis engine ({@link RedisLeaseLockRegistry}):
 * every acquisition is a {@link RedisLease} with its own random token, its fencing token
 * issued in the same script, renewed and released by compare-and-set scripts. A key
 * {@code k} is the Redis key {@code <prefix>:{k}}. Every instance that uses the same
 * Redis and prefix with this store excludes every other; instances on
 * {@link RedisMutexStore} (Spring Integration's layout, {@code <prefix>:k}) do not
 * exclude instances on this one.
 * <p>
 * Thread-safe. A {@link SmartLifecycle}: when it created its registry, it stops the
 * registry's wake-up subscription before the connection factory closes.
 *
 * @since 0.1.0
 */
public class RedisLeaseMutexStore implements RenewableMutexStore, FencingMutexStore, ForceReleasableMutexStore,
		ListableMutexStore, SmartLifecycle, DisposableBean {

	private static final Logger logger = LoggerFactory.getLogger(RedisLeaseMutexStore.class);

	private final RedisLeaseLockRegistry registry;

	private final boolean ownsRegistry;

	/**
	 * Create a store and the registry it uses.
	 * @param connectionFactory the Redis connection
	 * @param prefix the prefix of every key ({@code mutex} gives {@code mutex:{<key>}})
	 * @param expire the default time-to-live of a held key
	 */
	public RedisLeaseMutexStore(RedisConnectionFactory connectionFactory, String prefix, Duration expire) {
		this(new RedisLeaseLockRegistry(connectionFactory, prefix, expire), true);
	}

	/**
	 * Create a store over a registry that someone else manages (a bean, for example).
	 * @param registry the registry
	 */
	public RedisLeaseMutexStore(RedisLeaseLockRegistry registry) {
		this(registry, false);
	}

	private RedisLeaseMutexStore(RedisLeaseLockRegistry registry, boolean ownsRegistry) {
		Assert.notNull(registry, "RedisLeaseLockRegistry must not be null");
		this.registry = registry;
		this.ownsRegistry = ownsRegistry;
	}

	/**
	 * The registry this store takes its leases from.
	 * @return the registry
	 */
	public RedisLeaseLockRegistry getRegistry() {
		return this.registry;
	}

	/**
	 * The Redis key under which a key is held.
	 * @param key the key
	 * @return {@code <prefix>:{<key>}}
	 * @see RedisLeaseLockRegistry#redisKey(String)
	 */
	public String redisKey(String key) {
		return this.registry.redisKey(key);
	}

	@Override
	public @Nullable Held tryAcquire(String key, Duration wait, Duration expire) throws InterruptedException {
		RedisLease lease = this.registry.acquire(key, wait, expire);
		return (lease != null) ? new LeaseHeld(lease) : null;
	}

	/**
	 * Take the key for a holder that renews its lease: a lease released by another thread
	 * of this instance may pass to it without a round trip, with the time-to-live it has
	 * left in Redis (at least five sixths of {@code expire});
	 * {@link #leaseStart(Held, long)} tells when that time-to-live started.
	 */
	@Override
	public @Nullable Held tryAcquireRenewed(String key, Duration wait, Duration expire) throws InterruptedException {
		RedisLease lease = this.registry.acquire(key, wait, expire, true);
		return (lease != null) ? new LeaseHeld(lease) : null;
	}

	@Override
	public long leaseStart(Held held, long returnedAt) {
		RedisLease lease = lease(held);
		long setAt = lease.ttlSetAt;
		return (lease.passedOn && setAt - returnedAt < 0) ? setAt : returnedAt;
	}

	@Override
	public Duration defaultExpire() {
		return this.registry.getDefaultExpire();
	}

	@Override
	public @Nullable Duration leaseLeft(String key) {
		return this.registry.leaseLeft(key);
	}

	@Override
	public boolean isLocked(String key) {
		return this.registry.isLocked(key);
	}

	@Override
	public boolean forceRelease(String key) {
		return this.registry.forceRelease(key);
	}

	@Override
	public List<StoredHold> heldKeys(int limit) {
		return this.registry.heldKeys(limit);
	}

	@Override
	public boolean renew(Held held, Duration ttl) {
		return lease(held).renew(ttl);
	}

	/**
	 * The token issued with the acquisition, in the same script: no round trip; for a
	 * lease passed on from another thread of this instance without Redis, one round trip
	 * the first time.
	 * @throws IllegalStateException if the acquisition was released, or was passed on and
	 * Redis no longer holds the key for it
	 */
	@Override
	public long fencingToken(Held held) {
		RedisLease lease = lease(held);
		if (lease.isReleased()) {
			throw new IllegalStateException("Mutex '" + held.key() + "' was released, so it gets no fencing token");
		}
		return lease.fencingToken();
	}

	private static RedisLease lease(Held held) {
		Assert.isInstanceOf(LeaseHeld.class, held, "Not an acquisition of this store");
		return ((LeaseHeld) held).lease;
	}

	@Override
	public void start() {
		if (this.ownsRegistry) {
			this.registry.start();
		}
	}

	@Override
	public void stop() {
		if (this.ownsRegistry) {
			this.registry.stop();
		}
	}

	@Override
	public boolean isRunning() {
		return !this.ownsRegistry || this.registry.isRunning();
	}

	/**
	 * If this store created its registry, destroy it.
	 */
	@Override
	public void destroy() throws Exception {
		if (this.ownsRegistry) {
			this.registry.destroy();
		}
	}

	@Override
	public String toString() {
		return "RedisLeaseMutexStore[" + this.registry + "]";
	}

	private record LeaseHeld(RedisLease lease) implements Held {

		@Override
		public String key() {
			return this.lease.key();
		}

		@Override
		public boolean release() {
			if (this.lease.isReleased()) {
				return false;
			}
			boolean released = this.lease.release();
			if (!released) {
				logger.warn("Mutex '{}' was lost before it was released (it expired or was removed from Redis); the "
						+ "work it guarded may have overlapped with another holder", key());
			}
			return released;
		}

		@Override
		public boolean isHeld() {
			return this.lease.isHeld();
		}

		/**
		 * A lease may be released by any thread: nothing to do.
		 */
		@Override
		public boolean handOver(Thread newOwner) {
			return !this.lease.isReleased();
		}

	}

}
