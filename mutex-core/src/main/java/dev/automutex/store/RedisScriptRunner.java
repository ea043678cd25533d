package dev.automutex.store;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.util.ClassUtils;

/**
 * Sends the AutoMutex Redis engine's commands: its scripts and the odd {@code GET}. On
 * Lettuce with a shared connection (Spring Boot's default) they go straight to that
 * connection ({@link LettuceScriptRunner}), else through a {@link StringRedisTemplate}.
 * Both wait for the reply up to the factory's command timeout and report failures as
 * Spring Data Redis does.
 */
interface RedisScriptRunner {

	/**
	 * Run a script, by SHA once Redis knows it.
	 * @param script the script
	 * @param keys its keys
	 * @param args its arguments, as text
	 * @param <T> its result type ({@link Long} or {@link List})
	 * @return its result
	 * @throws DataAccessException if Redis failed or did not answer in time
	 */
	<T> @Nullable T run(RedisScript<T> script, List<String> keys, String... args);

	/**
	 * The value of a key.
	 * @param key the key
	 * @return its value, or {@code null} if it has none
	 * @throws DataAccessException if Redis failed or did not answer in time
	 */
	@Nullable String get(String key);

	/**
	 * The fastest runner for a connection factory.
	 * @param factory the connection factory
	 * @return a runner on it
	 */
	static RedisScriptRunner of(RedisConnectionFactory factory) {
		if (ClassUtils.isPresent("io.lettuce.core.RedisClient", RedisScriptRunner.class.getClassLoader())) {
			RedisScriptRunner lettuce = LettuceScriptRunner.of(factory);
			if (lettuce != null) {
				return lettuce;
			}
		}
		return new TemplateScriptRunner(new StringRedisTemplate(factory));
	}

	/**
	 * Through a {@link StringRedisTemplate}: any client, any connection set-up.
	 */
	final class TemplateScriptRunner implements RedisScriptRunner {

		private final StringRedisTemplate redis;

		TemplateScriptRunner(StringRedisTemplate redis) {
			this.redis = redis;
		}

		@Override
		public <T> @Nullable T run(RedisScript<T> script, List<String> keys, String... args) {
			return this.redis.execute(script, keys, (Object[]) args);
		}

		@Override
		public @Nullable String get(String key) {
			return this.redis.opsForValue().get(key);
		}

		@Override
		public String toString() {
			return "StringRedisTemplate";
		}

	}

}
