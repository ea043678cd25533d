package dev.automutex.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis examples of README, as written there.
 */
class RedisReadmeExamplesTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final LettuceConnectionFactory connectionFactory = RedisMutexStoreContractTests
		.connectionFactory(redis.server());

	private final List<Long> reportsWritten = new ArrayList<>();

	@AfterEach
	void closeConnection() {
		this.connectionFactory.destroy();
	}

	@Test
	void leaseOfTheRegistryUsedOnItsOwn() throws Exception {
		RedisLeaseLockRegistry registry = readmeExample(this.connectionFactory);
		try {
			assertThat(this.reportsWritten).singleElement().satisfies((token) -> assertThat(token).isPositive());
			assertThat(registry.isLocked("report")).as("after the example").isFalse();
		}
		finally {
			registry.destroy();
		}
	}

	private RedisLeaseLockRegistry readmeExample(RedisConnectionFactory connectionFactory) throws InterruptedException {
		// README, "Redis": from here
		RedisLeaseLockRegistry registry = new RedisLeaseLockRegistry(connectionFactory, "jobs", Duration.ofSeconds(30));
		RedisLease lease = registry.acquire("report", Duration.ofSeconds(5), Duration.ofSeconds(30));
		if (lease != null) {
			try {
				writeReport(lease.fencingToken());
			}
			finally {
				lease.release();
			}
		}
		// to here
		return registry;
	}

	private void writeReport(long fencingToken) {
		assertThat(redis.server().command("EXISTS jobs:{report}")).as("the key while the report is written")
			.isEqualTo(":1");
		this.reportsWritten.add(fencingToken);
	}

}
