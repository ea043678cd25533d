package dev.automutex.sample.redis;

import java.util.concurrent.CompletableFuture;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the sample, started at once on a redis-server of the test's own, sell
 * every ticket exactly once between them.
 */
class RedisSampleApplicationTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@Test
	void twoInstancesSellEachTicketOnce() {
		start("--sale.open=true", "--sale.enabled=false").close();
		CompletableFuture<ConfigurableApplicationContext> first = CompletableFuture.supplyAsync(() -> start());
		CompletableFuture<ConfigurableApplicationContext> second = CompletableFuture.supplyAsync(() -> start());
		try (ConfigurableApplicationContext a = first.join(); ConfigurableApplicationContext b = second.join()) {
			BoxOffice boxOffice = a.getBean(BoxOffice.class);
			assertThat(boxOffice.left("premiere")).isZero();
			assertThat(boxOffice.sold("premiere")).isEqualTo(200);
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		return new SpringApplicationBuilder(RedisSampleApplication.class)
			.properties("spring.data.redis.port=" + redisServer.server().port())
			.run(args);
	}

}
