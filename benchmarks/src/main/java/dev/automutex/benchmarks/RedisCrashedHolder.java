package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.store.RedisLease;
import dev.automutex.store.RedisLeaseLockRegistry;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.test.RedisServer;
import org.redisson.api.RedissonClient;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * A crashed holder: one instance takes a key with a {@value #TTL_MILLIS} ms time-to-live
 * and never renews nor releases it (as a process that died would); a second instance is
 * already waiting for it. Measured: how long after the holder took the key the waiter is
 * granted, minus the time-to-live, i.e. how late after the key's expiry the waiter gets
 * it. The holder's client stays open, so no connection close tells Redis anything. The
 * waiter waits up to {@value #WAIT_MILLIS} ms; a waiter that only tries again when its
 * own wait runs out shows as late as the wait allows.
 */
final class RedisCrashedHolder {

	static final long TTL_MILLIS = 2000;

	private static final Duration TTL = Duration.ofMillis(TTL_MILLIS);

	static final long WAIT_MILLIS = TTL_MILLIS + 3_000;

	private RedisCrashedHolder() {
	}

	/**
	 * AutoMutex: the holder is a {@link RedisLeaseLockRegistry} lease, not renewed; the
	 * waiter a {@link MutexTemplate} on a store of its own.
	 * @param redis the server
	 * @return ms from the key's expiry to the grant
	 */
	static long automutex(RedisServer redis) throws Exception {
		String key = "crashed-am-" + System.nanoTime();
		LettuceConnectionFactory holderFactory = RedisLockBenchmark.connectionFactory(redis);
		LettuceConnectionFactory waiterFactory = RedisLockBenchmark.connectionFactory(redis);
		RedisLeaseLockRegistry holder = new RedisLeaseLockRegistry(holderFactory, "crashed", TTL);
		RedisLeaseMutexStore store = new RedisLeaseMutexStore(waiterFactory, "crashed", TTL);
		MutexTemplate waiter = new MutexTemplate(store);
		try {
			long taken = System.nanoTime();
			RedisLease lease = holder.acquire(key, Duration.ZERO, TTL);
			if (lease == null) {
				throw new IllegalStateException("The holder was refused a free key");
			}
			try (MutexLock lock = waiter.lock(key, Duration.ofMillis(WAIT_MILLIS))) {
				return lateness(taken);
			}
		}
		finally {
			waiter.destroy();
			store.destroy();
			holder.destroy();
			waiterFactory.destroy();
			holderFactory.destroy();
		}
	}

	/**
	 * Spring Integration's {@link RedisLockRegistry} (pub/sub mode) on both sides; its
	 * holder renews nothing unless told to.
	 * @param redis the server
	 * @return ms from the key's expiry to the grant
	 */
	static long springIntegration(RedisServer redis) throws Exception {
		String key = "crashed-si-" + System.nanoTime();
		LettuceConnectionFactory holderFactory = RedisLockBenchmark.connectionFactory(redis);
		LettuceConnectionFactory waiterFactory = RedisLockBenchmark.connectionFactory(redis);
		RedisLockRegistry holder = new RedisLockRegistry(holderFactory, "crashed-si", TTL);
		RedisLockRegistry waiter = new RedisLockRegistry(waiterFactory, "crashed-si", TTL);
		holder.setRedisLockType(RedisLockType.PUB_SUB_LOCK);
		waiter.setRedisLockType(RedisLockType.PUB_SUB_LOCK);
		try {
			long taken = System.nanoTime();
			holder.obtain(key).lock();
			return lateness(waiter.obtain(key), taken);
		}
		finally {
			waiter.destroy();
			holder.destroy();
			waiterFactory.destroy();
			holderFactory.destroy();
		}
	}

	/**
	 * Redisson on both sides; the holder's lock has an explicit lease time, so no
	 * watchdog renews it.
	 * @param redis the server
	 * @return ms from the key's expiry to the grant
	 */
	static long redisson(RedisServer redis) throws Exception {
		String key = "crashed-rs-" + System.nanoTime();
		RedissonClient holder = RedisPeers.redissonClient(redis);
		RedissonClient waiter = RedisPeers.redissonClient(redis);
		try {
			long taken = System.nanoTime();
			holder.getLock(key).lock(TTL_MILLIS, TimeUnit.MILLISECONDS);
			return lateness(waiter.getLock(key), taken);
		}
		finally {
			waiter.shutdown();
			holder.shutdown();
		}
	}

	// The waiter's grant, for the peers that wait with Lock.tryLock.
	private static long lateness(Lock lock, long taken) throws InterruptedException {
		if (!lock.tryLock(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException("Not granted within " + WAIT_MILLIS + " ms");
		}
		long late = lateness(taken);
		lock.unlock();
		return late;
	}

	private static long lateness(long taken) {
		long late = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - taken) - TTL_MILLIS;
		if (late < -50) {
			throw new IllegalStateException("Granted " + (-late) + " ms before the crashed holder's key expired");
		}
		return late;
	}

}
