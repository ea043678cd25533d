package dev.automutex.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLock;
import dev.automutex.MutexOperations;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AutoMutex;
import dev.automutex.store.LocalLockRegistry;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.JavaSources;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

class MutexAutoConfigurationTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, MutexAutoConfiguration.class));

	private ApplicationContextRunner withRedis() {
		return this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.host=" + redisServer.server().host(),
					"spring.data.redis.port=" + redisServer.server().port());
	}

	@Test
	void localStoreAndDefaultsWhenNothingIsConfigured() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(MutexTemplate.class);
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class);
			MutexTemplate template = context.getBean(MutexTemplate.class);
			assertThat(template.getDefaultBlock()).isEqualTo(Duration.ofSeconds(1));
			assertThat(template.getDefaultExpire()).as("the store's own default applies").isNull();
			assertThat(template.isRenew()).isTrue();
			assertThat(context).hasSingleBean(dev.automutex.annotation.MutexTransactionGuard.class);
			assertThat(context.getBean(MutexProperties.class).getExpire()).isEqualTo(Duration.ofSeconds(10));
		});
	}

	@Test
	void abandonedKeysAreSweptPeriodically() {
		this.contextRunner.withPropertyValues("mutex.sweep-interval=100ms").run((context) -> {
			MutexTemplate template = context.getBean(MutexTemplate.class);
			Thread dies = new Thread(() -> template.lock("abandoned"));
			dies.start();
			dies.join();
			LocalMutexStore store = (LocalMutexStore) context.getBean(MutexStore.class);
			assertThat(store.getRegistry().size()).isOne();
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> store.getRegistry().size() == 0);
		});
	}

	@Test
	void sweepingCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("mutex.sweep-interval=0s")
			.run((context) -> assertThat(context.getBean(MutexSweeper.class).isRunning()).isFalse());
		this.contextRunner.run((context) -> assertThat(context.getBean(MutexSweeper.class).isRunning()).isTrue());
	}

	@Test
	void propertiesSetTemplateDefaults() {
		this.contextRunner.withPropertyValues("mutex.block=250ms", "mutex.expire=PT30S").run((context) -> {
			MutexTemplate template = context.getBean(MutexTemplate.class);
			assertThat(template.getDefaultBlock()).isEqualTo(Duration.ofMillis(250));
			assertThat(template.getDefaultExpire()).as("the store applies mutex.expire itself").isNull();
		});
	}

	@Test
	void redisStoreWhenConnectionFactoryExistsStoringKeysUnderPrefix() {
		withRedis().withPropertyValues("mutex.prefix=shop").run((context) -> {
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class);
			try (MutexLock lock = context.getBean(MutexTemplate.class).lock("cart:1")) {
				assertThat(redisServer.server().command("EXISTS shop:{cart:1}")).isEqualTo(":1");
				// mutex.expire's default, 10s, is the time-to-live
				String ttl = redisServer.server().command("PTTL shop:{cart:1}");
				assertThat(Long.parseLong(ttl.substring(1))).isBetween(8_000L, 10_000L);
			}
			assertThat(redisServer.server().command("EXISTS shop:{cart:1}")).isEqualTo(":0");
		});
	}

	@Test
	void springIntegrationEngineIsOnePropertyAway() {
		withRedis().withPropertyValues("mutex.prefix=shop", "mutex.redis.engine=spring-integration").run((context) -> {
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisMutexStore.class);
			try (MutexLock lock = context.getBean(MutexTemplate.class).lock("cart:1")) {
				assertThat(redisServer.server().command("EXISTS shop:cart:1")).isEqualTo(":1");
			}
			assertThat(redisServer.server().command("EXISTS shop:cart:1")).isEqualTo(":0");
		});
	}

	@Test
	void invalidEngineFailsStartupNamingTheProperty() {
		withRedis().withPropertyValues("mutex.redis.engine=redisson").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("mutex.redis.engine")
				.hasStackTraceContaining("redisson");
		});
	}

	@Test
	void expirePropertyIsTheRedisTimeToLive() {
		withRedis().withPropertyValues("mutex.expire=40s").run((context) -> {
			try (MutexLock lock = context.getBean(MutexTemplate.class).lock("cart:2")) {
				String ttl = redisServer.server().command("PTTL mutex:{cart:2}");
				assertThat(Long.parseLong(ttl.substring(1))).isBetween(35_000L, 40_000L);
			}
		});
	}

	@Test
	void renewalCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("mutex.renew=false")
			.run((context) -> assertThat(context.getBean(MutexTemplate.class).isRenew()).isFalse());
	}

	@Test
	void lostKeyIsPublishedAsAnApplicationEvent() {
		withRedis().withUserConfiguration(LostKeyListener.class).run((context) -> {
			MutexTemplate template = context.getBean(MutexTemplate.class);
			try (MutexLock lock = template.lock("report", Duration.ZERO, Duration.ofMillis(600))) {
				redisServer.server().command("DEL mutex:{report}");
				org.awaitility.Awaitility.await()
					.atMost(Duration.ofSeconds(10))
					.until(() -> !context.getBean(LostKeyListener.class).lost.isEmpty());
				assertThat(context.getBean(LostKeyListener.class).lost).containsExactly(List.of("report"));
				assertThat(lock.isHeld()).isFalse();
			}
		});
	}

	@Test
	void renewAttributeOfAutoMutexOverridesMutexRenew() {
		withRedis().withBean(RenewService.class).run((context) -> {
			RenewService service = context.getBean(RenewService.class);
			MutexTemplate template = context.getBean(MutexTemplate.class);
			assertThat(service.renewed(template)).as("mutex.renew is on by default").isOne();
			assertThat(service.notRenewed(template)).isZero();
			assertThat(template.renewalCount()).isZero();
		});
	}

	@Test
	void spinLockTypeIsAccepted() {
		withRedis()
			.withPropertyValues("mutex.store=redis", "mutex.redis.engine=spring-integration",
					"mutex.redis.lock-type=spin")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MutexStore.class))
					.hasToString("RedisMutexStore[prefix=mutex, expire=PT10S, lockType=SPIN_LOCK]");
				MutexTemplate template = context.getBean(MutexTemplate.class);
				assertThat(template.withLock("spin", () -> template.isLocked("spin"))).isTrue();
			});
	}

	@Test
	void storeLocalIgnoresRedis() {
		withRedis().withPropertyValues("mutex.store=local")
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class));
	}

	@Test
	void applicationLockRegistryWinsOverBothStores() {
		withRedis().withPropertyValues("mutex.store=redis")
			.withUserConfiguration(OwnRegistryConfiguration.class)
			.run((context) -> {
				MutexStore store = context.getBean(MutexStore.class);
				assertThat(store).isExactlyInstanceOf(LockRegistryMutexStore.class);
				assertThat(((LockRegistryMutexStore) store).getRegistry())
					.isSameAs(context.getBean(LockRegistry.class));
			});
	}

	@Test
	void severalLockRegistriesWithoutPrimaryFailStartup() {
		this.contextRunner.withUserConfiguration(TwoRegistriesConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("several LockRegistry beans");
		});
	}

	@Test
	void applicationMutexOperationsReplacesTemplate() {
		MutexOperations own = mock(MutexOperations.class);
		this.contextRunner.withBean(MutexOperations.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean(MutexTemplate.class);
			assertThat(context.getBean(MutexOperations.class)).isSameAs(own);
		});
	}

	@Test
	void keyConverterBeanIsUsedOnceForTemplateKeysAndAnnotationValues() {
		MutexKeyConverter upper = (key) -> key.toString().toUpperCase();
		this.contextRunner.withBean(MutexKeyConverter.class, () -> upper)
			.withUserConfiguration(ServiceConfiguration.class)
			.run((context) -> {
				try (MutexLock lock = context.getBean(MutexTemplate.class).lock("abc")) {
					assertThat(lock.keys()).containsExactly("ABC");
				}
				// Only the value is converted, not the whole key a second time.
				assertThat(context.getBean(Service.class).holds("ab", "Service#holds:AB")).isTrue();
			});
	}

	@Test
	void storeRedisWithUnreachableRedisFailsStartupNamingProperty() {
		int closedPort;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("mutex.store=redis", "spring.data.redis.port=" + closedPort,
					"spring.data.redis.timeout=2s", "spring.data.redis.connect-timeout=2s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("mutex.store")
					// The address it tried, so that a wrong one is seen at once.
					.hasMessageContaining("Redis at localhost:" + closedPort + " did not answer");
			});
	}

	@Test
	void storeRedisWithoutConnectionFactoryFailsNamingProperty() {
		this.contextRunner.withPropertyValues("mutex.store=redis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("mutex.store")
				.hasMessageContaining("no RedisConnectionFactory bean")
				.hasMessageContaining("spring-boot-starter-data-redis");
		});
	}

	@Test
	void storeRedisWithoutSpringDataRedisFailsNamingProperty() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("mutex.store=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("mutex.store")
					.hasMessageContaining("Spring Data Redis is not on the classpath");
			});
	}

	@Test
	void autoStoreWithoutSpringDataRedisIsLocal() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class));
	}

	@Test
	void invalidPropertyValuesFailStartupNamingTheProperty() {
		assertInvalidValue("mutex.block=-1s", "mutex.block", "zero or positive");
		assertInvalidValue("mutex.expire=0s", "mutex.expire", "at least 1ms");
		assertInvalidValue("mutex.expire=500us", "mutex.expire", "at least 1ms");
		assertInvalidValue("mutex.prefix= ", "mutex.prefix", "must not be empty");
		assertInvalidValue("mutex.sweep-interval=-1m", "mutex.sweep-interval", "zero (no sweeping) or positive");
		assertBindFailure("mutex.store=cloud", "mutex.store");
		assertBindFailure("mutex.redis.lock-type=polling", "mutex.redis.lock-type");
		assertBindFailure("mutex.block=soon", "mutex.block");
	}

	@Test
	void invalidAutoMutexFailsStartupNamingClassMethodAndAttribute() {
		this.contextRunner.withUserConfiguration(BrokenServiceConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining(BrokenService.class.getName() + ".perform(String)")
				.hasMessageContaining("on[0] '#txId'")
				.hasMessageContaining("#transactionId or #p0")
				.hasMessageContaining("afterFailure 'missing'");
		});
	}

	@Test
	void eachInvalidAutoMutexAttributeFailsStartup() {
		assertInvalidAnnotation(UnparsableExpression.class, "on[0] '#id +'", "does not parse");
		assertInvalidAnnotation(BlockNotADuration.class, "block 'soon'", "not a duration");
		assertInvalidAnnotation(ExpireNotADuration.class, "expire '10'", "has no unit");
		assertInvalidAnnotation(PlaceholderNotADuration.class, "block '${jobs.wait}' (resolved to 'later')",
				"not a duration");
		assertInvalidAnnotation(HandlerOfWrongType.class, "afterFailure 'mutexTemplate'", "not a",
				"MutexFailureHandler");
	}

	@Test
	void withoutParameterNamesStartupFailureSaysSoAndSuggestsPosition(@TempDir Path dir) throws Exception {
		Class<?> compiled = compileWithoutParameters(dir);
		this.contextRunner.withBean("noParameterNames", compiled).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("NoParameterNames.perform(String)")
				.hasMessageContaining("compiled without -parameters")
				.hasMessageContaining("'#p0'");
		});
	}

	private void assertInvalidAnnotation(Class<?> beanClass, String... messageParts) {
		this.contextRunner.withPropertyValues("jobs.wait=later").withBean(beanClass).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageStartingWith("Invalid @AutoMutex on " + beanClass.getName() + ".run(")
				.hasMessageContainingAll(messageParts);
		});
	}

	private static Class<?> compileWithoutParameters(Path dir) {
		return JavaSources.compileWithoutParameters(dir, "NoParameterNames", """
				public class NoParameterNames {
					@dev.automutex.annotation.AutoMutex(on = "#transactionId")
					public void perform(String transactionId) { }
				}
				""");
	}

	@Test
	void asyncAutoMutexHoldsTheKeyForTheAsynchronousWork() {
		this.contextRunner.withUserConfiguration(AsyncConfiguration.class).run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			MutexTemplate template = context.getBean(MutexTemplate.class);
			java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
			java.util.concurrent.CompletableFuture<String> running = service.run("1", finish);
			org.awaitility.Awaitility.await()
				.atMost(Duration.ofSeconds(10))
				.until(() -> template.isLocked("AsyncService#run:1"));
			assertThat(running).isNotDone();
			finish.countDown();
			assertThat(running.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ran 1");
		});
	}

	@Test
	void autoMutexWorksThroughTheStarter() {
		this.contextRunner.withUserConfiguration(ServiceConfiguration.class).run((context) -> {
			Service service = context.getBean(Service.class);
			assertThat(service.perform("42")).isTrue();
		});
	}

	private void assertInvalidValue(String property, String name, String reason) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class,
						(ex) -> assertThat(ex.getName()).isEqualTo(name))
				.hasMessageContaining(reason);
		});
	}

	private void assertBindFailure(String property, String name) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure())
				.hasStackTraceContaining("Failed to bind properties under '" + name + "'");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class LostKeyListener {

		final List<List<String>> lost = new java.util.concurrent.CopyOnWriteArrayList<>();

		@org.springframework.context.event.EventListener
		void onLost(dev.automutex.MutexLostEvent event) {
			this.lost.add(event.keys());
		}

	}

	static class RenewService {

		@AutoMutex(expire = "5s")
		public int renewed(MutexTemplate template) {
			return template.renewalCount();
		}

		@AutoMutex(expire = "5s", renew = "false")
		public int notRenewed(MutexTemplate template) {
			return template.renewalCount();
		}

	}

	static class UnparsableExpression {

		@AutoMutex(on = "#id +")
		public void run(String id) {
		}

	}

	static class BlockNotADuration {

		@AutoMutex(block = "soon")
		public void run() {
		}

	}

	static class ExpireNotADuration {

		@AutoMutex(expire = "10")
		public void run() {
		}

	}

	static class PlaceholderNotADuration {

		@AutoMutex(block = "${jobs.wait}")
		public void run() {
		}

	}

	static class HandlerOfWrongType {

		@AutoMutex(afterFailure = "mutexTemplate")
		public void run() {
		}

	}

	static class AsyncService {

		@org.springframework.scheduling.annotation.Async
		@AutoMutex(on = "#id", block = "0s")
		public java.util.concurrent.CompletableFuture<String> run(String id, java.util.concurrent.CountDownLatch finish)
				throws InterruptedException {
			finish.await(20, java.util.concurrent.TimeUnit.SECONDS);
			return java.util.concurrent.CompletableFuture.completedFuture("ran " + id);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@org.springframework.scheduling.annotation.EnableAsync
	static class AsyncConfiguration {

		@Bean
		AsyncService asyncService() {
			return new AsyncService();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnRegistryConfiguration {

		@Bean
		LockRegistry<Lock> ownRegistry() {
			return new LocalLockRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoRegistriesConfiguration {

		@Bean
		LockRegistry<Lock> one() {
			return new LocalLockRegistry();
		}

		@Bean
		LockRegistry<Lock> two() {
			return new LocalLockRegistry();
		}

	}

	static class BrokenService {

		@AutoMutex(on = "#txId", afterFailure = "missing")
		public void perform(String transactionId) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BrokenServiceConfiguration {

		@Bean
		BrokenService brokenService() {
			return new BrokenService();
		}

	}

	static class Service {

		private final MutexOperations mutex;

		private final MutexStore store;

		Service(MutexOperations mutex, MutexStore store) {
			this.mutex = mutex;
			this.store = store;
		}

		@AutoMutex(on = "#transactionId")
		public boolean perform(String transactionId) {
			return this.mutex.isLocked("Service#perform:" + transactionId);
		}

		@AutoMutex(on = "#value")
		public boolean holds(String value, String expectedKey) {
			return this.store.isLocked(expectedKey);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ServiceConfiguration {

		@Bean
		Service service(MutexOperations mutex, MutexStore store) {
			return new Service(mutex, store);
		}

	}

}
