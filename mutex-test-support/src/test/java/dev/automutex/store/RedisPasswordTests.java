package dev.automutex.store;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A Redis password, on both engines and both clients (Lettuce and Jedis): absent from
 * every log event (everything at DEBUG, with its stack trace) and from the messages and
 * stack traces of the exceptions the store throws, while locking, renewing, with Redis
 * paused ({@code kill -STOP}) so that commands time out and a lease is lost, and with a
 * wrong password. The starter's {@code RedisPasswordTests} covers an application.
 */
@Timeout(120)
class RedisPasswordTests {

	private static final String USER = "automutex";

	private static final String PASSWORD = "Zq7-store-secret-4242";

	private static final String WRONG_PASSWORD = "Wr0ng-store-secret-1717";

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final List<String> shown = new ArrayList<>();

	private Level rootLevel;

	@BeforeEach
	void captureEverything() {
		assertThat(redisServer.server().command("ACL SETUSER " + USER + " reset on >" + PASSWORD + " ~* &* +@all"))
			.isEqualTo("+OK");
		this.rootLevel = this.root.getLevel();
		this.root.setLevel(Level.DEBUG);
		this.logs.start();
		this.root.addAppender(this.logs);
	}

	@AfterEach
	void restore() throws Exception {
		signal("CONT");
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		this.root.detachAppender(this.logs);
		this.root.setLevel(this.rootLevel);
		redisServer.server().flushAll();
		redisServer.server().command("ACL DELUSER " + USER);
	}

	@ParameterizedTest
	@CsvSource({ "AUTOMUTEX, lettuce", "AUTOMUTEX, jedis", "SPRING_INTEGRATION, lettuce", "SPRING_INTEGRATION, jedis" })
	void passwordAppearsInNoLogEventNorException(RedisEngine engine, String client) throws Exception {
		MutexTemplate mutex = start(engine, client, PASSWORD);
		MutexLock held = mutex.lock("video:7", Duration.ZERO, Duration.ofSeconds(1));
		assertThat(held.fencingToken()).isPositive();
		signal("STOP");
		try {
			this.shown
				.add(stackTrace(catchThrowable(() -> mutex.lock("video:8", Duration.ZERO, Duration.ofSeconds(30)))));
			await().atMost(Duration.ofSeconds(20)).until(() -> logged().contains("could not be renewed"));
		}
		finally {
			signal("CONT");
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> !held.isHeld());

		MutexTemplate refused = start(engine, client, WRONG_PASSWORD);
		this.shown
			.add(stackTrace(catchThrowable(() -> refused.lock("video:9", Duration.ZERO, Duration.ofSeconds(30)))));

		assertThat(this.shown).hasSize(2).allSatisfy((text) -> assertThat(text).contains("Exception"));
		assertThat(this.shown.get(1)).contains("WRONGPASS");
		assertThat(String.join("\n", this.shown)).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
		assertThat(this.logs.list).anyMatch((event) -> event.getLevel() == Level.DEBUG);
		assertThat(logged()).doesNotContain(PASSWORD).doesNotContain(WRONG_PASSWORD);
	}

	private MutexTemplate start(RedisEngine engine, String client, String password) {
		RedisServer server = redisServer.server();
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(server.host(), server.port());
		configuration.setUsername(USER);
		configuration.setPassword(password);
		RedisConnectionFactory factory;
		if (client.equals("jedis")) {
			JedisConnectionFactory jedis = new JedisConnectionFactory(configuration,
					JedisClientConfiguration.builder().readTimeout(Duration.ofSeconds(1)).build());
			jedis.afterPropertiesSet();
			jedis.start();
			this.resources.add(jedis::destroy);
			factory = jedis;
		}
		else {
			LettuceConnectionFactory lettuce = new LettuceConnectionFactory(configuration,
					LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(1)).build());
			lettuce.afterPropertiesSet();
			lettuce.start();
			this.resources.add(lettuce::destroy);
			factory = lettuce;
		}
		MutexStore store = engine.store(factory, "mutex", Duration.ofSeconds(1));
		MutexTemplate mutex = new MutexTemplate(store);
		// Closed first: the template, then the store, then the connection.
		this.resources.add(0, () -> {
			mutex.destroy();
			if (store instanceof DisposableBean disposable) {
				disposable.destroy();
			}
		});
		return mutex;
	}

	private String logged() {
		StringBuilder text = new StringBuilder();
		for (ILoggingEvent event : new ArrayList<>(this.logs.list)) {
			text.append(event.getLoggerName()).append(' ').append(event.getFormattedMessage()).append('\n');
			if (event.getThrowableProxy() != null) {
				text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
			}
		}
		return text.toString();
	}

	private static String stackTrace(Throwable thrown) {
		assertThat(thrown).as("an exception").isNotNull();
		StringWriter text = new StringWriter();
		thrown.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	private static void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(redisServer.server().pid())).start();
			assertThat(kill.waitFor()).isZero();
		}
		catch (Exception ex) {
			throw new IllegalStateException("kill -" + signal + " failed", ex);
		}
	}

}
