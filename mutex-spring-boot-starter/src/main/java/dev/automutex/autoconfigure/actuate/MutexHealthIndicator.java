package dev.automutex.autoconfigure.actuate;

import java.time.Duration;

import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The {@code mutex} health contributor: {@code UP} with the store in its details; on
 * Redis, a {@code PING} whose latency it reports, and {@code DOWN} when Redis does not
 * answer (within the client's command timeout). It never takes a lock.
 *
 * @since 0.1.0
 */
public class MutexHealthIndicator extends AbstractHealthIndicator {

	private final MutexStoreDescription store;

	private final @Nullable RedisConnectionFactory redis;

	/**
	 * Create the indicator.
	 * @param store the application's store
	 * @param redis the Redis connection factory, used only when the store is on Redis
	 */
	public MutexHealthIndicator(MutexStore store, @Nullable RedisConnectionFactory redis) {
		super("Mutex store health check failed");
		this.store = MutexStoreDescription.of(store);
		this.redis = this.store.isRedis() ? redis : null;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("store", this.store.kind());
		if (this.store.engine() != null) {
			builder.withDetail("engine", this.store.engine());
		}
		RedisConnectionFactory redis = this.redis;
		if (redis == null) {
			builder.up();
			return;
		}
		builder.withDetail("redis", RedisAddress.of(redis));
		long start = System.nanoTime();
		try (RedisConnection connection = redis.getConnection()) {
			connection.ping();
		}
		builder.withDetail("pingLatency", Duration.ofNanos(System.nanoTime() - start).toString()).up();
	}

}
