package dev.automutex.sample.counter;

import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counter sample counts to 10 with the lock, on the local store and on Redis, and
 * loses updates without it.
 */
class CounterApplicationTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@Test
	void countsToTenOnTheLocalStoreAndLosesUpdatesWithoutTheLock() throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class);
			Counting counting = context.getBean(Counting.class);
			CounterFile counter = context.getBean(CounterFile.class);
			assertThat(counting.count(counter::increment)).isEqualTo(10);
			assertThat(counting.count(counter::incrementUnlocked)).isLessThan(10);
		}
	}

	@Test
	void countsToTenOnRedisWithOneProperty() throws Exception {
		try (ConfigurableApplicationContext context = start("--mutex.store=redis")) {
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisMutexStore.class);
			Counting counting = context.getBean(Counting.class);
			assertThat(counting.count(context.getBean(CounterFile.class)::increment)).isEqualTo(10);
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(CounterApplication.class)
			.properties("spring.data.redis.port=" + redisServer.server().port())
			.run(args);
	}

}
