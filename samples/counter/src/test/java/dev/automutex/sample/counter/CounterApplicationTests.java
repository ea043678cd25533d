package dev.automutex.sample.counter;

import java.util.ArrayList;
import java.util.List;

import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
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
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class);
			Counting counting = context.getBean(Counting.class);
			assertThat(counting.count(context.getBean(CounterFile.class)::increment)).isEqualTo(10);
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		// Command-line arguments win over the sample's application.yml (127.0.0.1:6379):
		// the test's own redis-server, never a Redis the machine happens to run.
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--spring.data.redis.host=" + redisServer.server().host());
		all.add("--spring.data.redis.port=" + redisServer.server().port());
		return new SpringApplicationBuilder(CounterApplication.class).run(all.toArray(String[]::new));
	}

}
