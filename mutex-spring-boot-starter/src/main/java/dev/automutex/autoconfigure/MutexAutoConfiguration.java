package dev.automutex.autoconfigure;

import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLostEvent;
import dev.automutex.MutexOperations;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.AbstractMutexAnnotationConfiguration;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.annotation.MutexTransactionGuard;
import dev.automutex.autoconfigure.MutexStoreConfigurations.JdbcStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.LocalStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.RedisStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.RegistryStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.SpringIntegrationRedisStoreConfiguration;
import dev.automutex.autoconfigure.MutexStoreConfigurations.UnavailableStoreConfiguration;
import dev.automutex.store.MutexStore;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.integration.support.locks.LockRegistry;

/**
 * {@link AutoConfiguration Auto-configuration} for AutoMutex: a {@link MutexTemplate},
 * {@code @AutoMutex} support, and a {@link MutexStore} chosen by conditions, one
 * configuration per store, tried in this order:
 * <ol>
 * <li>an application's own {@link LockRegistry} bean, whatever {@code mutex.store} says
 * (with several, the {@code @Primary} one; several and none primary fail startup);</li>
 * <li>Redis, for {@code mutex.store} {@code auto} or {@code redis}, when Spring Data
 * Redis and spring-integration-redis are on the classpath and a
 * {@code RedisConnectionFactory} bean exists;</li>
 * <li>the application's database, for {@code mutex.store=jdbc} only, when
 * spring-integration-jdbc is on the classpath and one {@code DataSource} bean
 * exists;</li>
 * <li>the local store, for {@code mutex.store} {@code auto} or {@code local}.</li>
 * </ol>
 * {@code mutex.store=redis} or {@code jdbc} that cannot be met fails startup with the
 * reason. An application's own {@link MutexStore} bean replaces all of them, and its own
 * {@link MutexOperations} bean replaces the template. Run with {@code --debug} to see in
 * the conditions report why a store was chosen.
 * <p>
 * {@code @AutoMutex} is enabled in proxy mode unless the application declares
 * {@link EnableAutoMutex @EnableAutoMutex} itself, for example
 * {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)}: then the application's choice
 * alone applies, so that no method is locked twice.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration" })
@EnableConfigurationProperties(MutexProperties.class)
@Import({ RegistryStoreConfiguration.class, RedisStoreConfiguration.class,
		SpringIntegrationRedisStoreConfiguration.class, JdbcStoreConfiguration.class, LocalStoreConfiguration.class,
		UnavailableStoreConfiguration.class })
public final class MutexAutoConfiguration {

	/**
	 * The template. It sets no default {@code expire}: every store applies its own, which
	 * for the stores configured here is {@code mutex.expire}.
	 * @param mutexStore the store
	 * @param properties the {@code mutex.*} properties
	 * @param keyConverter the application's key converter, used if there is exactly one
	 * @param eventPublisher publishes a {@link MutexLostEvent} when a key is lost
	 * @param observationRegistry the application's observation registry (with Actuator):
	 * {@code mutex.acquire} and {@code mutex.held} are observed through it
	 * @return the template
	 */
	@Bean
	@ConditionalOnMissingBean(MutexOperations.class)
	MutexTemplate mutexTemplate(MutexStore mutexStore, MutexProperties properties,
			ObjectProvider<MutexKeyConverter> keyConverter, ApplicationEventPublisher eventPublisher,
			ObjectProvider<ObservationRegistry> observationRegistry) {
		MutexTemplate template = new MutexTemplate(mutexStore);
		// Called on the template's notification thread, never on a renewal thread.
		template.setLossListener((lost) -> eventPublisher.publishEvent(new MutexLostEvent(template, lost.keys())));
		template.setDefaultBlock(properties.getBlock());
		template.setRenew(properties.isRenew());
		keyConverter.ifUnique(template::setKeyConverter);
		observationRegistry.ifUnique(template::setObservationRegistry);
		return template;
	}

	@Bean
	@ConditionalOnMissingBean
	MutexSweeper mutexSweeper(MutexOperations mutexOperations, MutexProperties properties) {
		return new MutexSweeper(mutexOperations, properties.getSweepInterval());
	}

	/**
	 * {@code @AutoMutex} through Spring AOP proxies, unless the application enabled it
	 * itself: application configuration is processed before auto-configuration, so its
	 * {@code @EnableAutoMutex} has registered a configuration of either mode by now.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(AbstractMutexAnnotationConfiguration.class)
	@EnableAutoMutex
	static class AutoMutexProxyConfiguration {

	}

	/**
	 * Rolls back transactions whose {@code @AutoMutex} key was lost; Spring Boot adds
	 * every {@code TransactionExecutionListener} bean to its transaction managers.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.transaction.TransactionExecutionListener")
	static class TransactionGuardConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MutexTransactionGuard mutexTransactionGuard() {
			return new MutexTransactionGuard();
		}

	}

}
