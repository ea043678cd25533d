package dev.automutex.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.test.RedisServer;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;

/**
 * The Redis locks that the counting tools compare, each as an "instance" of an
 * application: a client of its own (connection factory, Redisson client or Lettuce
 * connection) behind one small interface, {@link Instance}. AutoMutex is a
 * {@link MutexTemplate} over {@link RedisLeaseMutexStore}; the peers are Spring
 * Integration's {@link RedisLockRegistry} (pub/sub mode) used directly, Redisson's
 * {@link RLock} and the push floor ({@link #pushFloor(RedisServer)}).
 */
final class RedisPeers {

	static final Duration TTL = RedisLockBenchmark.TTL;

	/**
	 * The push floor's release: compare-and-delete, then one wake-up pushed on the key's
	 * list (kept to one element, so a release that nobody waited for leaves at most one
	 * stale wake-up, which costs a waiter one extra {@code SET NX}).
	 */
	static final String PUSH_RELEASE = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				redis.call('DEL', KEYS[1])
				redis.call('LPUSH', KEYS[2], '1')
				redis.call('LTRIM', KEYS[2], 0, 0)
				redis.call('PEXPIRE', KEYS[2], ARGV[2])
				return 1
			end
			return 0
			""";

	private RedisPeers() {
	}

	/**
	 * AutoMutex: a {@link MutexTemplate} over the AutoMutex engine, renewal on (the
	 * defaults).
	 * @param redis the server
	 * @return a new instance
	 */
	static Instance automutex(RedisServer redis) {
		return template(redis, (factory) -> new RedisLeaseMutexStore(factory, "peer-am", TTL));
	}

	/**
	 * A {@link MutexTemplate} over a store of its own, on a connection factory of its
	 * own.
	 * @param redis the server
	 * @param stores makes the store on the factory
	 * @return a new instance
	 */
	static Instance template(RedisServer redis, Function<LettuceConnectionFactory, MutexStore> stores) {
		LettuceConnectionFactory factory = RedisLockBenchmark.connectionFactory(redis);
		MutexStore store = stores.apply(factory);
		MutexTemplate template = new MutexTemplate(store);
		return new Instance() {

			@Override
			public @Nullable Runnable lock(String key, Duration wait) {
				try {
					MutexLock lock = template.lock(key, wait);
					return lock::close;
				}
				catch (MutexLockException ex) {
					return null;
				}
			}

			@Override
			public void close() throws Exception {
				template.destroy();
				if (store instanceof DisposableBean disposable) {
					disposable.destroy();
				}
				factory.destroy();
			}

		};
	}

	/**
	 * Spring Integration's {@link RedisLockRegistry}, pub/sub mode, used directly.
	 * @param redis the server
	 * @return a new instance
	 */
	static Instance springIntegration(RedisServer redis) {
		LettuceConnectionFactory factory = RedisLockBenchmark.connectionFactory(redis);
		RedisLockRegistry registry = new RedisLockRegistry(factory, "peer-si", TTL);
		registry.setRedisLockType(RedisLockType.PUB_SUB_LOCK);
		return new Instance() {

			@Override
			public @Nullable Runnable lock(String key, Duration wait) throws InterruptedException {
				Lock lock = registry.obtain(key);
				return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
			}

			@Override
			public void close() throws Exception {
				registry.destroy();
				factory.destroy();
			}

		};
	}

	/**
	 * A Redisson client of its own, defaults but the address; {@code RLock.tryLock(wait)}
	 * (lease renewed by Redisson's watchdog).
	 * @param redis the server
	 * @return a new instance
	 */
	static Instance redisson(RedisServer redis) {
		RedissonClient client = redissonClient(redis);
		return new Instance() {

			@Override
			public @Nullable Runnable lock(String key, Duration wait) throws InterruptedException {
				RLock lock = client.getLock("peer-rs:" + key);
				return lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS) ? lock::unlock : null;
			}

			@Override
			public void close() {
				client.shutdown();
			}

		};
	}

	/**
	 * A Redisson client with the defaults but the address.
	 * @param redis the server
	 * @return the client
	 */
	static RedissonClient redissonClient(RedisServer redis) {
		Config config = new Config();
		config.useSingleServer().setAddress("redis://" + redis.host() + ":" + redis.port());
		return Redisson.create(config);
	}

	/**
	 * The push floor, raw Lettuce on one connection (so one thread per instance): acquire
	 * is {@code SET key token NX PX}; a waiter that is refused blocks in {@code BLPOP} on
	 * the key's wake-up list (at most 1 s) and tries again; release is one script
	 * ({@link #PUSH_RELEASE}). The least a Redis mutex with push wake-ups costs: one
	 * round trip to acquire a free key, one to release, one {@code BLPOP} + one
	 * {@code SET} for a waiter that is woken.
	 * @param redis the server
	 * @return a new instance
	 */
	static Instance pushFloor(RedisServer redis) {
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		StatefulRedisConnection<String, String> connection = client.connect();
		RedisCommands<String, String> commands = connection.sync();
		String release = commands.scriptLoad(PUSH_RELEASE);
		String tokenPrefix = Long.toHexString(System.nanoTime()) + ":";
		AtomicLong tokens = new AtomicLong();
		return new Instance() {

			@Override
			public @Nullable Runnable lock(String key, Duration wait) {
				String lockKey = "peer-push:" + key;
				String wakeKey = "peer-push-wake:" + key;
				String token = tokenPrefix + tokens.incrementAndGet();
				long deadline = System.nanoTime() + wait.toNanos();
				while (true) {
					if ("OK".equals(commands.set(lockKey, token, SetArgs.Builder.nx().px(TTL.toMillis())))) {
						return () -> commands.evalsha(release, ScriptOutputType.INTEGER,
								new String[] { lockKey, wakeKey }, token, String.valueOf(TTL.toMillis()));
					}
					long left = deadline - System.nanoTime();
					if (left <= 0) {
						return null;
					}
					long seconds = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toSeconds(left), 1));
					KeyValue<String, String> woken = commands.blpop(seconds, wakeKey);
					if (woken == null && System.nanoTime() - deadline >= 0) {
						return null;
					}
				}
			}

			@Override
			public void close() {
				connection.close();
				client.shutdown();
			}

		};
	}

	/**
	 * One application's view of a Redis lock: acquire with a wait, release through the
	 * returned action (on the acquiring thread, as every peer here requires).
	 */
	interface Instance extends AutoCloseable {

		/**
		 * Acquire {@code key}, waiting up to {@code wait}.
		 * @param key the key
		 * @param wait how long to wait
		 * @return the release, or {@code null} if the key was not granted in time
		 * @throws InterruptedException if interrupted while waiting
		 */
		@Nullable Runnable lock(String key, Duration wait) throws InterruptedException;

	}

}
