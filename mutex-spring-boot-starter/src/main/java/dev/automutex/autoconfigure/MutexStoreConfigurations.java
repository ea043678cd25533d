package dev.automutex.autoconfigure;

import java.util.Arrays;

import javax.sql.DataSource;

import dev.automutex.autoconfigure.MutexProperties.Engine;
import dev.automutex.autoconfigure.MutexProperties.InitializeSchema;
import dev.automutex.autoconfigure.MutexProperties.Jdbc;
import dev.automutex.autoconfigure.MutexProperties.Store;
import dev.automutex.store.JdbcMutexSchema;
import dev.automutex.store.JdbcMutexStore;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.LockRegistryMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisAddress;
import dev.automutex.store.RedisLeaseLockRegistry;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry;
import org.springframework.integration.redis.util.RedisLockRegistry.RedisLockType;
import org.springframework.integration.support.locks.LockRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;

/**
 * The store configurations, one per store, imported by {@link MutexAutoConfiguration} in
 * this order so that their conditions decide in the order of the selection rules: an
 * application's own {@link LockRegistry}, then Redis, then the local store. Each defines
 * the {@code mutexStore} bean only if no {@link MutexStore} bean exists yet, so the first
 * that matches wins and an application's own store replaces all of them. The last one,
 * {@link UnavailableStoreConfiguration}, is reached only when none could: it explains
 * why. Run the application with {@code --debug} to see each configuration's outcome in
 * the conditions report.
 * <p>
 * Only {@link RedisStoreConfiguration} and
 * {@link SpringIntegrationRedisStoreConfiguration} refer to Redis classes; they are not
 * loaded unless those are present.
 */
abstract class MutexStoreConfigurations {

	// Under the auto-configuration's name, where the store was always logged.
	private static final Logger logger = LoggerFactory.getLogger(MutexAutoConfiguration.class);

	private static final String REDIS_CONNECTION_FACTORY = "org.springframework.data.redis.connection.RedisConnectionFactory";

	private static final String REDIS_LOCK_REGISTRY = "org.springframework.integration.redis.util.RedisLockRegistry";

	private static final String JDBC_LOCK_REGISTRY = "org.springframework.integration.jdbc.lock.JdbcLockRegistry";

	private static final String EMBEDDED_DATABASE_CONNECTION = "org.springframework.boot.jdbc.EmbeddedDatabaseConnection";

	private static <S extends MutexStore> S created(S store) {
		logger.info("AutoMutex locks on {}", store);
		return store;
	}

	private static void checkSpringIntegrationVersion() {
		SpringIntegrationVersionCheck.warnIfAffected(LockRegistry.class.getPackage().getImplementationVersion());
	}

	/**
	 * With {@code redis} asked for explicitly, Redis must answer a PING now, so that a
	 * wrong address fails startup rather than the first lock.
	 * @param connectionFactory the connection
	 */
	private static void ping(RedisConnectionFactory connectionFactory) {
		try (RedisConnection connection = connectionFactory.getConnection()) {
			connection.ping();
		}
		catch (RuntimeException ex) {
			RedisConnectionProblem problem = RedisConnectionProblem.of(ex);
			throw new InvalidConfigurationPropertyValueException("mutex.store", "redis",
					"Redis at " + RedisAddress.of(connectionFactory) + " " + problem.kind() + " (" + problem.reason()
							+ "); " + problem.fix() + ", or set mutex.store to auto or local");
		}
	}

	/**
	 * With {@code auto}, Redis was chosen because a connection factory exists, not
	 * because it answers: check once in the background (a Redis that does not answer must
	 * not hold up startup for the client's timeouts) and say so with a WARN naming its
	 * address, since every lock fails until it answers.
	 * @param connectionFactory the connection
	 */
	private static void warnIfUnreachable(RedisConnectionFactory connectionFactory) {
		Thread check = new Thread(() -> {
			try (RedisConnection connection = connectionFactory.getConnection()) {
				connection.ping();
			}
			catch (RuntimeException ex) {
				RedisConnectionProblem problem = RedisConnectionProblem.of(ex);
				logger.warn(
						"mutex.store is 'auto', which chose Redis at {} because a RedisConnectionFactory exists, "
								+ "but at a PING Redis {} ({}): every lock fails until it answers. To fix: {}, or set "
								+ "mutex.store=local to lock inside this JVM",
						RedisAddress.of(connectionFactory), problem.kind(), problem.reason(), problem.fix());
			}
		}, "automutex-redis-check");
		check.setDaemon(true);
		check.start();
	}

	/**
	 * An application's own {@link LockRegistry} bean (a {@code JdbcLockRegistry},
	 * ZooKeeper, ...), whatever {@code mutex.store} says. Registries with leases hold
	 * keys for {@code mutex.expire}, renewed while held.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnSingleCandidate(LockRegistry.class)
	static class RegistryStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(MutexStore.class)
		LockRegistryMutexStore mutexStore(LockRegistry<?> lockRegistry, MutexProperties properties) {
			if (!(lockRegistry instanceof RedisLeaseLockRegistry)) {
				checkSpringIntegrationVersion(); // AutoMutex's own registry is not
													// affected
			}
			return created(LockRegistryMutexStore.of(lockRegistry, properties.getExpire()));
		}

	}

	/**
	 * Redis on AutoMutex's own engine, for {@code mutex.store} {@code auto} or
	 * {@code redis} and {@code mutex.redis.engine} {@code automutex} (the default), when
	 * Spring Data Redis has configured a connection. Needs no Spring Integration Redis
	 * module, and so logs no warning about its version.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RedisConnectionFactory.class)
	@ConditionalOnMutexStore({ Store.AUTO, Store.REDIS })
	@ConditionalOnRedisEngine(Engine.AUTOMUTEX)
	@ConditionalOnMissingBean(LockRegistry.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class RedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(MutexStore.class)
		RedisLeaseMutexStore mutexStore(RedisConnectionFactory redisConnectionFactory, MutexProperties properties) {
			if (properties.getStore() == Store.REDIS) {
				ping(redisConnectionFactory);
			}
			else {
				warnIfUnreachable(redisConnectionFactory);
			}
			return created(
					new RedisLeaseMutexStore(redisConnectionFactory, properties.getPrefix(), properties.getExpire()));
		}

	}

	/**
	 * Redis on Spring Integration's {@code RedisLockRegistry}, for {@code mutex.store}
	 * {@code auto} or {@code redis} and {@code mutex.redis.engine}
	 * {@code spring-integration}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ RedisConnectionFactory.class, RedisLockRegistry.class })
	@ConditionalOnMutexStore({ Store.AUTO, Store.REDIS })
	@ConditionalOnRedisEngine(Engine.SPRING_INTEGRATION)
	@ConditionalOnMissingBean(LockRegistry.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	static class SpringIntegrationRedisStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(MutexStore.class)
		RedisMutexStore mutexStore(RedisConnectionFactory redisConnectionFactory, MutexProperties properties) {
			checkSpringIntegrationVersion();
			if (properties.getStore() == Store.REDIS) {
				ping(redisConnectionFactory);
			}
			else {
				warnIfUnreachable(redisConnectionFactory);
			}
			RedisLockType lockType = (properties.getRedis().getLockType() == MutexProperties.LockType.SPIN)
					? RedisLockType.SPIN_LOCK : RedisLockType.PUB_SUB_LOCK;
			return created(new RedisMutexStore(redisConnectionFactory, properties.getPrefix(), properties.getExpire(),
					lockType));
		}

	}

	/**
	 * The application's database, for {@code mutex.store=jdbc} (never chosen by
	 * {@code auto}: nearly every application has a {@link DataSource}), with Spring
	 * Integration's {@code JdbcLockRegistry}. Creates the lock tables first as
	 * {@code mutex.jdbc.initialize-schema} says.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ JdbcLockRegistry.class, JdbcTemplate.class })
	@ConditionalOnMutexStore(Store.JDBC)
	@ConditionalOnMissingBean(LockRegistry.class)
	@ConditionalOnSingleCandidate(DataSource.class)
	static class JdbcStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(MutexStore.class)
		JdbcMutexStore mutexStore(DataSource dataSource, MutexProperties properties) {
			checkSpringIntegrationVersion();
			Jdbc jdbc = properties.getJdbc();
			if (jdbc.getInitializeSchema() == InitializeSchema.ALWAYS
					|| (jdbc.getInitializeSchema() == InitializeSchema.EMBEDDED && isEmbedded(dataSource))) {
				JdbcMutexSchema.create(dataSource, jdbc.getTablePrefix());
			}
			return created(new JdbcMutexStore(dataSource, jdbc.getTablePrefix(), properties.getPrefix(),
					properties.getExpire()));
		}

		private static boolean isEmbedded(DataSource dataSource) {
			return ClassUtils.isPresent(EMBEDDED_DATABASE_CONNECTION, JdbcStoreConfiguration.class.getClassLoader())
					&& EmbeddedDatabaseConnection.isEmbedded(dataSource);
		}

	}

	/**
	 * The store in this JVM, for {@code mutex.store} {@code local}, or {@code auto}
	 * without Redis.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMutexStore({ Store.AUTO, Store.LOCAL })
	@ConditionalOnMissingBean(LockRegistry.class)
	static class LocalStoreConfiguration {

		@Bean
		@ConditionalOnMissingBean(MutexStore.class)
		LocalMutexStore mutexStore() {
			return created(new LocalMutexStore());
		}

	}

	/**
	 * Validator of the store selection, reached when no configuration above could provide
	 * a store and the application has none of its own: {@code mutex.store=redis} that
	 * cannot be met, or several {@link LockRegistry} beans and none of them primary. Its
	 * bean fails with the reason and the fix, so that whatever needs the store first gets
	 * that rather than "no MutexStore bean".
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(MutexStore.class)
	static class UnavailableStoreConfiguration {

		@Bean
		MutexStore mutexStore(MutexProperties properties, ConfigurableListableBeanFactory beanFactory) {
			throw unavailable(properties, beanFactory);
		}

		private static RuntimeException unavailable(MutexProperties properties,
				ConfigurableListableBeanFactory beanFactory) {
			Store store = properties.getStore();
			String[] registries = beanFactory.getBeanNamesForType(LockRegistry.class);
			if (registries.length > 1) {
				return new SeveralLockRegistriesException(Arrays.asList(registries));
			}
			if (store == Store.REDIS) {
				ClassLoader classLoader = beanFactory.getBeanClassLoader();
				if (!ClassUtils.isPresent(REDIS_CONNECTION_FACTORY, classLoader)) {
					return new InvalidConfigurationPropertyValueException("mutex.store", "redis",
							"Spring Data Redis is not on the classpath; add spring-boot-starter-data-redis, or set "
									+ "mutex.store to auto or local");
				}
				if (properties.getRedis().getEngine() == Engine.SPRING_INTEGRATION
						&& !ClassUtils.isPresent(REDIS_LOCK_REGISTRY, classLoader)) {
					return new InvalidConfigurationPropertyValueException("mutex.redis.engine", "spring-integration",
							"spring-integration-redis is not on the classpath (it comes with this starter: was it "
									+ "excluded?); add it, or set mutex.redis.engine to automutex");
				}
				return new InvalidConfigurationPropertyValueException("mutex.store", "redis",
						"there is no RedisConnectionFactory bean; add spring-boot-starter-data-redis and set "
								+ "spring.data.redis.host/port (or spring.data.redis.url), or set mutex.store to auto "
								+ "or local");
			}
			if (store == Store.JDBC) {
				ClassLoader classLoader = beanFactory.getBeanClassLoader();
				if (!ClassUtils.isPresent(JDBC_LOCK_REGISTRY, classLoader)) {
					return new InvalidConfigurationPropertyValueException("mutex.store", "jdbc",
							"spring-integration-jdbc is not on the classpath; add it (and spring-boot-starter-jdbc "
									+ "with your database's driver), or set mutex.store to auto, local or redis");
				}
				return new InvalidConfigurationPropertyValueException("mutex.store", "jdbc",
						"there is no single DataSource bean ("
								+ beanFactory.getBeanNamesForType(DataSource.class).length
								+ " found); add spring-boot-starter-jdbc and set spring.datasource.*, mark one "
								+ "DataSource @Primary, or declare a JdbcMutexStore bean");
			}
			return new IllegalStateException("AutoMutex could not configure a MutexStore for mutex.store=" + store
					+ "; run with --debug to see the conditions report, or declare a MutexStore bean");
		}

	}

}
