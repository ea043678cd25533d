package dev.automutex.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.automutex.MutexKeyConverter;
import dev.automutex.MutexLostEvent;
import dev.automutex.MutexOperations;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.EnableAutoMutex;
import dev.automutex.annotation.MutexTransactionGuard;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.util.ClassUtils;

/**
 * {@link AutoConfiguration Auto-configuration} for AutoMutex: a {@link MutexTemplate}, {@code @AutoMutex}
 * support, and the store chosen by {@code mutex.store}. An application's own {@link LockRegistry} bean is used
 * in preference to both built-in stores, and its own {@link MutexStore} or {@link MutexOperations} bean
 * replaces ours.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@EnableConfigurationProperties(MutexProperties.class)
@EnableAutoMutex
public final class MutexAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(MutexAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	MutexStore mutexStore(MutexProperties properties, ObjectProvider<LockRegistry<?>> registries,
			ConfigurableListableBeanFactory beanFactory) {
		SpringIntegrationVersionCheck.warnIfAffected(LockRegistry.class.getPackage().getImplementationVersion());
		MutexStore mutexStore = createStore(properties, registries, beanFactory);
		logger.info("AutoMutex locks on {}", mutexStore);
		return mutexStore;
	}

	private static MutexStore createStore(MutexProperties properties, ObjectProvider<LockRegistry<?>> registries,
			ConfigurableListableBeanFactory beanFactory) {
		LockRegistry<?> own = registries.getIfUnique();
		if (own != null) {
			return new LockRegistryMutexStore(own);
		}
		if (beanFactory.getBeanNamesForType(LockRegistry.class).length > 1) {
			throw new IllegalStateException("AutoMutex found several LockRegistry beans and cannot tell which to lock "
					+ "on; mark one @Primary, or declare a MutexStore bean");
		}
		MutexProperties.Store store = properties.getStore();
		boolean redisPresent = isRedisPresent(beanFactory.getBeanClassLoader());
		if (store == MutexProperties.Store.REDIS) {
			if (!redisPresent) {
				throw new InvalidConfigurationPropertyValueException("mutex.store", "redis",
						"Spring Data Redis is not on the classpath; add spring-boot-starter-data-redis, or set "
								+ "mutex.store to auto or local");
			}
			if (!RedisStoreFactory.hasConnectionFactory(beanFactory)) {
				throw new InvalidConfigurationPropertyValueException("mutex.store", "redis",
						"there is no RedisConnectionFactory bean; add spring-boot-starter-data-redis and set "
								+ "spring.data.redis.host/port (or spring.data.redis.url), or set mutex.store to auto or local");
			}
			return RedisStoreFactory.create(beanFactory, properties, true);
		}
		if (store == MutexProperties.Store.AUTO && redisPresent && RedisStoreFactory.hasConnectionFactory(beanFactory)) {
			return RedisStoreFactory.create(beanFactory, properties, false);
		}
		return new LocalMutexStore();
	}

	private static boolean isRedisPresent(@Nullable ClassLoader classLoader) {
		return ClassUtils.isPresent("org.springframework.data.redis.connection.RedisConnectionFactory", classLoader)
				&& ClassUtils.isPresent("org.springframework.integration.redis.util.RedisLockRegistry", classLoader);
	}

	@Bean
	@ConditionalOnMissingBean(MutexOperations.class)
	MutexTemplate mutexTemplate(MutexStore mutexStore, MutexProperties properties,
			ObjectProvider<MutexKeyConverter> keyConverter, Environment environment,
			ApplicationEventPublisher eventPublisher) {
		MutexTemplate template = new MutexTemplate(mutexStore);
		template.setLossListener((lost) -> eventPublisher.publishEvent(new MutexLostEvent(template, lost.keys())));
		template.setDefaultBlock(properties.getBlock());
		template.setRenew(properties.isRenew());
		// Stores apply their own default time-to-live: ours is mutex.expire already, and an application's own
		// registry (a JdbcLockRegistry, say) keeps its own unless mutex.expire is set explicitly.
		if (environment.containsProperty("mutex.expire")) {
			template.setDefaultExpire(properties.getExpire());
		}
		keyConverter.ifUnique(template::setKeyConverter);
		return template;
	}

	@Bean
	@ConditionalOnMissingBean
	MutexSweeper mutexSweeper(MutexOperations mutexOperations, MutexProperties properties) {
		return new MutexSweeper(mutexOperations, properties.getSweepInterval());
	}

	/**
	 * Rolls back transactions whose {@code @AutoMutex} key was lost; Spring Boot adds every
	 * {@code TransactionExecutionListener} bean to its transaction managers.
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
