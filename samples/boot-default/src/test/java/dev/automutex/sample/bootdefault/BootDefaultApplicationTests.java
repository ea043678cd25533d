package dev.automutex.sample.bootdefault;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample built as a user's plain Spring Boot 4.0.7 application, with the Spring
 * Integration version Boot manages (7.0.5, which has lock-key collision bugs): on the
 * default engine two instances on a redis-server of the test's own sell every seat once,
 * and the starter warns about that version only when a Spring Integration registry is
 * used. The instances are two application contexts in this JVM, started one after the
 * other (Spring Boot's logging set-up is not made for two starting at once).
 */
@ExtendWith(OutputCaptureExtension.class)
class BootDefaultApplicationTests {

	/** What the starter's warning about an affected Spring Integration version says. */
	private static final String VERSION_WARNING = "Spring Integration 7.0.5 is on the classpath; its Redis and JDBC "
			+ "lock registries can make different keys block each other or leave keys held";

	private static final int SELLERS_PER_INSTANCE = 4;

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@Test
	void withoutAnOverrideTheClasspathHasTheSpringIntegrationVersionBootManages() {
		assertThat(LockRegistry.class.getPackage().getImplementationVersion()).isEqualTo("7.0.5");
	}

	@Test
	void twoInstancesOnTheDefaultEngineSellEachSeatOnceOneAtATimeAndLogNoVersionWarning(CapturedOutput output)
			throws Exception {
		OverlapDetector detector = new OverlapDetector();
		try (ConfigurableApplicationContext first = start(detector);
				ConfigurableApplicationContext second = start(detector)) {
			assertThat(first.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class);
			assertThat(second.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class);
			stockOnThePrivateServer("premiere", 300);

			List<Integer> soldByInstance = sellConcurrently("premiere", first, second);

			assertThat(detector.mostInside()).as("sales inside the critical section at once").isEqualTo(1);
			assertThat(soldByInstance).as("seats sold by each instance")
				.allSatisfy((sold) -> assertThat(sold).isPositive());
			assertThat(soldByInstance.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
			TicketOffice office = second.getBean(TicketOffice.class);
			assertThat(office.seatsSold("premiere")).isEqualTo(300);
			assertThat(office.seatsLeft("premiere")).isZero();
		}
		assertThat(output).contains("AutoMutex locks on RedisLeaseMutexStore").doesNotContain(VERSION_WARNING);
	}

	@Test
	void theSpringIntegrationEngineLocksAndLogsTheVersionWarning(CapturedOutput output) throws Exception {
		OverlapDetector detector = new OverlapDetector();
		try (ConfigurableApplicationContext instance = start(detector, "--mutex.redis.engine=spring-integration")) {
			assertThat(instance.getBean(MutexStore.class)).isInstanceOf(RedisMutexStore.class);
			stockOnThePrivateServer("matinee", 100);

			List<Integer> soldByInstance = sellConcurrently("matinee", instance);

			assertThat(detector.mostInside()).as("sales inside the critical section at once").isEqualTo(1);
			assertThat(soldByInstance).containsExactly(100);
			assertThat(instance.getBean(TicketOffice.class).seatsSold("matinee")).isEqualTo(100);
		}
		assertThat(output.getOut().lines().filter((line) -> line.contains(VERSION_WARNING))).singleElement()
			.asString()
			.contains(" WARN ")
			.contains("SpringIntegrationVersionCheck");
	}

	/**
	 * Put seats on sale, none sold, straight on the test's redis-server, not through an
	 * instance: the instances sell them only if they are connected to that server.
	 * @param show the show
	 * @param seats how many seats
	 */
	private static void stockOnThePrivateServer(String show, int seats) {
		String reply = redisServer.server()
			.command("MSET seats:left:" + show + " " + seats + " seats:sold:" + show + " 0");
		assertThat(reply).isEqualTo("+OK");
	}

	/**
	 * Run {@link #SELLERS_PER_INSTANCE} sellers on each instance, all let go at once,
	 * each selling until the show is sold out.
	 * @param show the show
	 * @param instances the instances
	 * @return how many seats each instance sold, in the order of {@code instances}
	 */
	private static List<Integer> sellConcurrently(String show, ConfigurableApplicationContext... instances)
			throws Exception {
		ExecutorService sellers = Executors.newFixedThreadPool(instances.length * SELLERS_PER_INSTANCE);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<List<Future<Integer>>> sales = new ArrayList<>();
			for (ConfigurableApplicationContext instance : instances) {
				TicketOffice office = instance.getBean(TicketOffice.class);
				List<Future<Integer>> instanceSales = new ArrayList<>();
				for (int i = 0; i < SELLERS_PER_INSTANCE; i++) {
					instanceSales.add(sellers.submit(() -> {
						go.await();
						int sold = 0;
						while (office.sell(show)) {
							sold++;
						}
						return sold;
					}));
				}
				sales.add(instanceSales);
			}
			go.countDown();
			List<Integer> soldByInstance = new ArrayList<>();
			for (List<Future<Integer>> instanceSales : sales) {
				int sold = 0;
				for (Future<Integer> sale : instanceSales) {
					sold += sale.get(60, TimeUnit.SECONDS);
				}
				soldByInstance.add(sold);
			}
			return soldByInstance;
		}
		finally {
			sellers.shutdownNow();
		}
	}

	private static ConfigurableApplicationContext start(SaleObserver observer, String... args) {
		// As arguments: they win over application.yml (default properties would not).
		List<String> arguments = new ArrayList<>(List.of("--spring.data.redis.host=" + redisServer.server().host(),
				"--spring.data.redis.port=" + redisServer.server().port()));
		arguments.addAll(List.of(args));
		return new SpringApplicationBuilder(BootDefaultApplication.class).web(WebApplicationType.NONE)
			.initializers(observedBy(observer))
			.run(arguments.toArray(String[]::new));
	}

	/**
	 * Registers the observer as a bean of the instance, before its beans are created.
	 * @param observer the observer
	 * @return the initializer
	 */
	private static ApplicationContextInitializer<ConfigurableApplicationContext> observedBy(SaleObserver observer) {
		return (context) -> context.getBeanFactory().registerSingleton("saleObserver", observer);
	}

	/**
	 * Counts the sales inside {@link TicketOffice}'s critical section, on every instance
	 * that shares it, and remembers the most there were at once.
	 */
	static final class OverlapDetector implements SaleObserver {

		private final AtomicInteger inside = new AtomicInteger();

		private final AtomicInteger mostInside = new AtomicInteger();

		@Override
		public void entered(String show) {
			this.mostInside.accumulateAndGet(this.inside.incrementAndGet(), Math::max);
		}

		@Override
		public void left(String show) {
			this.inside.decrementAndGet();
		}

		int mostInside() {
			return this.mostInside.get();
		}

	}

}
