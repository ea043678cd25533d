package dev.automutex.test;

import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The databases the JDBC tests run on: the PostgreSQL and MariaDB servers this kind of
 * machine runs as services (database {@code test} on 127.0.0.1, trust or empty password),
 * and an in-memory H2. A test asks for its data source with {@link #dataSource()}, which
 * fails at once, naming the server and how to start it, when the server does not answer:
 * JDBC tests never skip.
 *
 * @since 0.1.0
 */
public enum TestDatabase {

	/**
	 * PostgreSQL on 127.0.0.1:5432.
	 */
	POSTGRESQL("PostgreSQL", "jdbc:postgresql://127.0.0.1:5432/test", "postgres",
			"pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"),

	/**
	 * MariaDB on 127.0.0.1:3306.
	 */
	MARIADB("MariaDB", "jdbc:mariadb://127.0.0.1:3306/test", "root",
			"start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"),

	/**
	 * H2 in memory, kept until the JVM ends.
	 */
	H2("H2", "jdbc:h2:mem:automutex;DB_CLOSE_DELAY=-1", "sa", "nothing to start: it runs in the JVM");

	private final String displayName;

	private final String url;

	private final String user;

	private final String howToStart;

	TestDatabase(String displayName, String url, String user, String howToStart) {
		this.displayName = displayName;
		this.url = url;
		this.user = user;
		this.howToStart = howToStart;
	}

	/**
	 * The JDBC URL.
	 * @return the URL
	 */
	public String url() {
		return this.url;
	}

	/**
	 * The user the tests connect as (no password).
	 * @return the user
	 */
	public String user() {
		return this.user;
	}

	/**
	 * A new pool of connections to the database, checked with one connection.
	 * @return the data source; close it after the test
	 * @throws IllegalStateException if the database does not answer, with how to start it
	 */
	public HikariDataSource dataSource() {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.url);
		config.setUsername(this.user);
		config.setPassword("");
		config.setMaximumPoolSize(16);
		config.setConnectionTimeout(5_000);
		config.setInitializationFailTimeout(-1);
		config.setPoolName("automutex-test-" + name().toLowerCase());
		HikariDataSource dataSource = new HikariDataSource(config);
		check(dataSource);
		return dataSource;
	}

	private void check(HikariDataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			connection.isValid(5);
		}
		catch (SQLException | RuntimeException ex) {
			dataSource.close();
			throw new IllegalStateException(this.displayName + " does not answer at " + this.url + " as user '"
					+ this.user + "' (" + ex.getMessage() + "). The JDBC tests need it and never skip: start it with "
					+ "'" + this.howToStart + "' (CI's .ci/run does), or run the other tests with " + "-Dtest='!Jdbc*'",
					ex);
		}
	}

	/**
	 * The database's name, for messages.
	 * @return the name
	 */
	public String displayName() {
		return this.displayName;
	}

}
