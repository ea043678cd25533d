package dev.automutex.sample.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the sample on a redis-server of the test's own sell every ticket
 * exactly once between them, selling at the same time. (The two applications start one
 * after the other: Spring Boot's logging set-up is not made for two applications starting
 * at once in one JVM.)
 */
class RedisSampleApplicationTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@Test
	void twoInstancesSellEachTicketOnce() {
		start("--sale.open=true", "--sale.enabled=false").close();
		try (ConfigurableApplicationContext a = start("--sale.enabled=false");
				ConfigurableApplicationContext b = start("--sale.enabled=false")) {
			CompletableFuture<Integer> first = sellOn(a);
			CompletableFuture<Integer> second = sellOn(b);
			assertThat(first.join() + second.join()).isEqualTo(200);
			BoxOffice boxOffice = a.getBean(BoxOffice.class);
			assertThat(boxOffice.left("premiere")).isZero();
			assertThat(boxOffice.sold("premiere")).isEqualTo(200);
		}
	}

	private static CompletableFuture<Integer> sellOn(ConfigurableApplicationContext instance) {
		Sale sale = instance.getBean(Sale.class);
		return CompletableFuture.supplyAsync(() -> {
			try {
				return sale.sell("premiere", 4);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static ConfigurableApplicationContext start(String... args) {
		// Command-line arguments win over the sample's application.yml (127.0.0.1:6379):
		// the test's own redis-server, never a Redis the machine happens to run.
		List<String> all = new ArrayList<>(List.of(args));
		all.add("--spring.data.redis.host=" + redisServer.server().host());
		all.add("--spring.data.redis.port=" + redisServer.server().port());
		return new SpringApplicationBuilder(RedisSampleApplication.class).run(all.toArray(String[]::new));
	}

}
