package dev.automutex.autoconfigure;

import java.util.UUID;

import javax.sql.DataSource;

import dev.automutex.MutexLock;
import dev.automutex.MutexOperations;
import dev.automutex.store.JdbcMutexStore;
import dev.automutex.store.LocalMutexStore;
import dev.automutex.store.MutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mutex.store=jdbc}: the store on the application's {@link DataSource}, its tables
 * created as {@code mutex.jdbc.initialize-schema} says, and clear failures when it cannot
 * be had.
 */
class JdbcStoreConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, MutexAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"spring.datasource.username=sa", "spring.datasource.password=");

	@Test
	void jdbcLocksInTheApplicationsDatabaseAndCreatesItsTablesOnAnEmbeddedOne() {
		this.runner.withPropertyValues("mutex.store=jdbc", "mutex.prefix=orders").run((context) -> {
			assertThat(context).hasSingleBean(JdbcMutexStore.class);
			try (MutexLock lock = context.getBean(MutexOperations.class).lock("order:1")) {
				JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
				assertThat(jdbc.queryForObject("SELECT REGION FROM INT_LOCK", String.class)).isEqualTo("orders");
				assertThat(lock.fencingToken()).isEqualTo(1);
				assertThat(jdbc.queryForObject("SELECT TOKEN FROM INT_LOCK_FENCE", Long.class)).isEqualTo(1);
			}
		});
	}

	@Test
	void tablePrefixNamesTheTables() {
		this.runner.withPropertyValues("mutex.store=jdbc", "mutex.jdbc.table-prefix=APP_").run((context) -> {
			context.getBean(MutexOperations.class).withLock("k", () -> {
			});
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM APP_LOCK_FENCE", Integer.class)).isZero();
		});
	}

	@Test
	void withoutTablesAndWithInitializationOffStartupFailsWithTheFix() {
		this.runner.withPropertyValues("mutex.store=jdbc", "mutex.jdbc.initialize-schema=never").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("The lock table INT_LOCK cannot be read")
				.hasStackTraceContaining("mutex.jdbc.initialize-schema=always");
		});
	}

	@Test
	void autoNeverPicksTheDatabase() {
		this.runner.run((context) -> assertThat(context.getBean(MutexStore.class)).isInstanceOf(LocalMutexStore.class));
	}

	@Test
	void jdbcWithoutADataSourceFailsWithTheFix() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MutexAutoConfiguration.class))
			.withPropertyValues("mutex.store=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("mutex.store")
					.hasMessageContaining("no single DataSource bean");
			});
	}

	@Test
	void jdbcWithoutSpringIntegrationJdbcFailsWithTheFix() {
		this.runner.withPropertyValues("mutex.store=jdbc")
			.withClassLoader(new FilteredClassLoader("org.springframework.integration.jdbc"))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("spring-integration-jdbc is not on the classpath");
			});
	}

	@Test
	void aBadTablePrefixIsRefusedByName() {
		this.runner.withPropertyValues("mutex.store=jdbc", "mutex.jdbc.table-prefix=X; DROP").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mutex.jdbc.table-prefix");
		});
	}

}
