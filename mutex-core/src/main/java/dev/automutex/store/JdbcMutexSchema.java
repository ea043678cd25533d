package dev.automutex.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.util.Assert;
import org.springframework.util.StreamUtils;

/**
 * Creates the tables of {@link JdbcMutexStore} when they do not exist yet: the lock table
 * ({@code <prefix>LOCK}, Spring Integration's) and the fence table
 * ({@code <prefix>LOCK_FENCE}), with AutoMutex's script for the database
 * ({@code classpath:dev/automutex/store/jdbc/schema-<postgresql|mysql|h2>.sql}; MariaDB
 * uses the MySQL one). The Spring Boot starter runs it as
 * {@code mutex.jdbc.initialize-schema} says.
 *
 * @since 0.1.0
 */
public final class JdbcMutexSchema {

	private JdbcMutexSchema() {
	}

	/**
	 * Create the tables that do not exist yet.
	 * @param dataSource the database
	 * @param tablePrefix the table prefix ({@code INT_} by default)
	 * @throws IllegalStateException for a database that AutoMutex has no script for,
	 * naming it
	 */
	public static void create(DataSource dataSource, String tablePrefix) {
		Assert.notNull(dataSource, "DataSource must not be null");
		Assert.isTrue(tablePrefix != null && tablePrefix.matches("[A-Za-z0-9_]*"),
				() -> "tablePrefix '" + tablePrefix + "' may hold only letters, digits and '_'");
		String script = script(platform(dataSource)).replace("INT_", tablePrefix);
		new ResourceDatabasePopulator(new ByteArrayResource(script.getBytes(StandardCharsets.UTF_8)))
			.execute(dataSource);
	}

	/**
	 * The name of AutoMutex's script for a database.
	 * @param dataSource the database
	 * @return {@code postgresql}, {@code mysql} (MySQL and MariaDB) or {@code h2}
	 * @throws IllegalStateException for another database
	 */
	static String platform(DataSource dataSource) {
		String product;
		Connection connection = DataSourceUtils.getConnection(dataSource);
		try {
			product = connection.getMetaData().getDatabaseProductName();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not read which database " + dataSource + " is", ex);
		}
		finally {
			DataSourceUtils.releaseConnection(connection, dataSource);
		}
		String name = product.toLowerCase(Locale.ROOT);
		if (name.contains("postgres")) {
			return "postgresql";
		}
		if (name.contains("mysql") || name.contains("mariadb")) {
			return "mysql";
		}
		if (name.equals("h2")) {
			return "h2";
		}
		throw new IllegalStateException("AutoMutex has no lock table script for " + product + " (it has PostgreSQL, "
				+ "MySQL/MariaDB and H2): create the tables " + "<prefix>LOCK and <prefix>LOCK_FENCE yourself, after "
				+ "classpath:dev/automutex/store/jdbc/schema-postgresql.sql, and set mutex.jdbc.initialize-schema=never");
	}

	/**
	 * A database for messages: its product and URL, without the URL's parameters (which
	 * may hold a password).
	 * @param dataSource the database
	 * @return for example {@code PostgreSQL at jdbc:postgresql://127.0.0.1:5432/test}
	 */
	static String describe(DataSource dataSource) {
		Connection connection;
		try {
			connection = DataSourceUtils.getConnection(dataSource);
		}
		catch (RuntimeException ex) {
			return dataSource.getClass().getSimpleName() + " (not reachable: " + ex.getMessage() + ")";
		}
		try {
			String url = connection.getMetaData().getURL();
			int parameters = url.replace('?', ';').indexOf(';');
			return connection.getMetaData().getDatabaseProductName() + " at "
					+ ((parameters >= 0) ? url.substring(0, parameters) : url);
		}
		catch (SQLException ex) {
			return dataSource.getClass().getSimpleName();
		}
		finally {
			DataSourceUtils.releaseConnection(connection, dataSource);
		}
	}

	private static String script(String platform) {
		try {
			return StreamUtils.copyToString(
					new ClassPathResource("dev/automutex/store/jdbc/schema-" + platform + ".sql").getInputStream(),
					StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("AutoMutex's schema-" + platform + ".sql is missing from mutex-core", ex);
		}
	}

}
