package dev.automutex.store;

import java.time.Duration;

import dev.automutex.MutexTemplate;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A separate JVM that takes a key on Redis, says {@code HELD}, and keeps working until it
 * is killed: the crashed holder of {@link RedisOwnerDeathTests}. Arguments: the Redis
 * port, the key, the expire in milliseconds and the {@link RedisEngine} name.
 */
public final class HoldKeyProcess {

	private HoldKeyProcess() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		String key = args[1];
		Duration expire = Duration.ofMillis(Long.parseLong(args[2]));
		RedisEngine engine = RedisEngine.valueOf(args[3]);
		LettuceConnectionFactory connection = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port));
		connection.afterPropertiesSet();
		connection.start();
		MutexTemplate mutex = new MutexTemplate(engine.store(connection, "mutex", expire));
		mutex.lock(key, Duration.ZERO, expire);
		System.out.println("HELD");
		System.out.flush();
		// The "work" of a holder that never finishes: the parent kills this process.
		Object forever = new Object();
		synchronized (forever) {
			forever.wait();
		}
	}

}
