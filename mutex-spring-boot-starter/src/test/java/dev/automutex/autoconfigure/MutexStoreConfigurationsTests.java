package dev.automutex.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.Lock;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.autoconfigure.MutexStoreConfigurations.LocalStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.RedisStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.RegistryStoreConfiguration;
import dev.automutex.store.LocalLockRegistry;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.store.RenewableLockRegistryMutexStore;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.support.locks.LockRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store is chosen by conditions, one configuration per store, in the order of the
 * selection rules, and Spring Boot's conditions report ({@code --debug}) says why. The
 * basic choices (local, Redis, an application's registry, failures of
 * {@code mutex.store=redis}) are in {@link MutexAutoConfigurationTests}.
 */
class MutexStoreConfigurationsTests {

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
	void conditionsReportSaysWhyTheLocalStoreWasChosen() {
		withRedis().withPropertyValues("mutex.store=local").run((context) -> {
			ConditionEvaluationReport report = ConditionEvaluationReport.get(context.getBeanFactory());
			assertThat(messages(report, RedisStoreConfiguration.class, false))
				.containsExactly("@ConditionalOnMutexStore (auto or redis) mutex.store is 'local'");
			assertThat(isFullMatch(report, LocalStoreConfiguration.class.getName())).isTrue();
			assertThat(messages(report, LocalStoreConfiguration.class, true))
				.contains("@ConditionalOnMutexStore (auto or local) mutex.store is 'local'");
			assertThat(isFullMatch(report, LocalStoreConfiguration.class.getName() + "#mutexStore")).isTrue();
		});
	}

	@Test
	void conditionsReportSaysWhyRedisWasChosen() {
		withRedis().run((context) -> {
			ConditionEvaluationReport report = ConditionEvaluationReport.get(context.getBeanFactory());
			assertThat(isFullMatch(report, RedisStoreConfiguration.class.getName())).isTrue();
			assertThat(messages(report, RedisStoreConfiguration.class, true))
				.contains("@ConditionalOnMutexStore (auto or redis) mutex.store is not set (auto)")
				.anySatisfy((message) -> assertThat(message).contains("found bean 'redisConnectionFactory'",
						"LockRegistry; SearchStrategy: all) did not find any beans"));
			assertThat(isFullMatch(report, LocalStoreConfiguration.class.getName() + "#mutexStore"))
				.as("the local store backs off: the Redis store exists")
				.isFalse();
		});
	}

	@Test
	void conditionsReportSaysThatAnApplicationLockRegistryWins() {
		withRedis().withPropertyValues("mutex.store=redis")
			.withUserConfiguration(OwnRegistryConfiguration.class)
			.run((context) -> {
				ConditionEvaluationReport report = ConditionEvaluationReport.get(context.getBeanFactory());
				assertThat(messages(report, RegistryStoreConfiguration.class, true)).singleElement()
					.asString()
					.contains("found a single bean 'ownRegistry'");
				assertThat(messages(report, RedisStoreConfiguration.class, false)).singleElement()
					.asString()
					.contains("LockRegistry", "found beans of type", "ownRegistry");
			});
	}

	@Test
	void storeValueIsReadLikeTheProperty() {
		withRedis().withPropertyValues("mutex.store=LOCAL")
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class));
		withRedis().withPropertyValues("mutex.store=Redis")
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class));
		withRedis().withPropertyValues("mutex.store=Redis", "mutex.redis.engine=SPRING_INTEGRATION")
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisMutexStore.class));
	}

	@Test
	void withoutSpringIntegrationRedisTheDefaultEngineWorksAndTheOtherFailsNamingProperty() {
		FilteredClassLoader withoutRedisLockRegistry = new FilteredClassLoader(RedisLockRegistry.class);
		withRedis().withClassLoader(withoutRedisLockRegistry)
			.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(RedisLeaseMutexStore.class));
		withRedis().withClassLoader(withoutRedisLockRegistry)
			.withPropertyValues("mutex.store=redis", "mutex.redis.engine=spring-integration")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("mutex.redis.engine")
					.hasMessageContaining("spring-integration-redis is not on the classpath");
			});
	}

	@Test
	void applicationLockRegistryWithLeasesHoldsKeysForMutexExpireNotItsOwnTimeToLive() {
		withRedis().withUserConfiguration(OwnRedisRegistryConfiguration.class).run((context) -> {
			assertThat(context.getBean(MutexStore.class)).isInstanceOf(RenewableLockRegistryMutexStore.class);
			try (MutexLock lock = context.getBean(MutexTemplate.class).lock("cart:3")) {
				assertThat(pttl("own:cart:3")).as("mutex.expire's default, not the registry's 60s")
					.isBetween(8_000L, 10_000L);
			}
		});
		withRedis().withUserConfiguration(OwnRedisRegistryConfiguration.class)
			.withPropertyValues("mutex.expire=45s")
			.run((context) -> {
				try (MutexLock lock = context.getBean(MutexTemplate.class).lock("cart:4")) {
					assertThat(pttl("own:cart:4")).isBetween(40_000L, 45_000L);
				}
			});
	}

	@Test
	void primaryLockRegistryIsUsedWhenThereAreSeveral() {
		this.contextRunner.withUserConfiguration(TwoRegistriesOnePrimaryConfiguration.class)
			.run((context) -> assertThat(((LockRegistryMutexStore) context.getBean(MutexStore.class)).getRegistry())
				.isSameAs(context.getBean("primary")));
	}

	@Test
	void severalLockRegistriesWithoutPrimaryFailStartupRatherThanFallBackToRedis() {
		withRedis().withUserConfiguration(TwoRegistriesConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(SeveralLockRegistriesException.class)
				.hasMessageContaining("several LockRegistry beans (one, two)")
				.hasMessageContaining("mark one @Primary");
		});
	}

	@Test
	void applicationMutexStoreReplacesOursWhateverMutexStoreSays() {
		MutexStore own = new LocalMutexStore();
		this.contextRunner.withPropertyValues("mutex.store=redis")
			.withUserConfiguration(TwoRegistriesConfiguration.class)
			.withBean(MutexStore.class, () -> own)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MutexStore.class)).isSameAs(own);
				assertThat(context.getBean(MutexTemplate.class).getStore()).isSameAs(own);
			});
	}

	private static long pttl(String key) {
		return Long.parseLong(redisServer.server().command("PTTL " + key).substring(1));
	}

	private static boolean isFullMatch(ConditionEvaluationReport report, String source) {
		return report.getConditionAndOutcomesBySource().get(source).isFullMatch();
	}

	private static List<String> messages(ConditionEvaluationReport report, Class<?> source, boolean matched) {
		return report.getConditionAndOutcomesBySource()
			.get(source.getName())
			.stream()
			.filter((conditionAndOutcome) -> conditionAndOutcome.getOutcome().isMatch() == matched)
			.map((conditionAndOutcome) -> conditionAndOutcome.getOutcome().getMessage())
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnRegistryConfiguration {

		@Bean
		LockRegistry<Lock> ownRegistry() {
			return new LocalLockRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnRedisRegistryConfiguration {

		@Bean
		RedisLockRegistry ownRedisRegistry(RedisConnectionFactory connectionFactory) {
			return new RedisLockRegistry(connectionFactory, "own", Duration.ofSeconds(60));
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

	@Configuration(proxyBeanMethods = false)
	static class TwoRegistriesOnePrimaryConfiguration {

		@Bean
		LockRegistry<Lock> other() {
			return new LocalLockRegistry();
		}

		@Bean
		@Primary
		LockRegistry<Lock> primary() {
			return new LocalLockRegistry();
		}

	}

}
