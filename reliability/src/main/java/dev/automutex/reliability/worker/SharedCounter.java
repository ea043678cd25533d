package dev.automutex.reliability.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.automutex.annotation.AutoMutex;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * A counter that several processes increment by read-modify-write, correct only when one
 * caller at a time does it: in a file (the seeds' counter) or in a Redis string read with
 * {@code GET} and written with {@code SET} (over the application's own connection, not
 * the lock's scripts). The {@link OverlapDetector} sees any second caller inside.
 */
@Component
public class SharedCounter {

	/** The Redis key of the counter. */
	public static final String REDIS_KEY = "reliability:counter";

	private final StringRedisTemplate redis;

	SharedCounter(StringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Add one under the key {@code reliability-counter}, shared by every process.
	 * @param inRedis whether the counter is the Redis string, not the file
	 * @param file the counter file
	 * @param detector the overlap detector
	 */
	@AutoMutex(name = "reliability-counter", block = "120s")
	public void incrementLocked(boolean inRedis, Path file, OverlapDetector detector) {
		increment(inRedis, file, detector);
	}

	/**
	 * Add one with no lock: the control that shows the detector and the count can fail.
	 * @param inRedis whether the counter is the Redis string, not the file
	 * @param file the counter file
	 * @param detector the overlap detector
	 */
	public void increment(boolean inRedis, Path file, OverlapDetector detector) {
		boolean entered = detector.enter();
		try {
			if (inRedis) {
				String value = this.redis.opsForValue().get(REDIS_KEY);
				this.redis.opsForValue().set(REDIS_KEY, Long.toString(parse(value) + 1));
			}
			else {
				long value = parse(Files.readString(file));
				Files.writeString(file, Long.toString(value + 1));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			detector.leave(entered);
		}
	}

	private static long parse(@Nullable String value) {
		return (value == null || value.isBlank()) ? 0 : Long.parseLong(value.trim());
	}

}
