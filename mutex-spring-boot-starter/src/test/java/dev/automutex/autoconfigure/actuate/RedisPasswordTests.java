package dev.automutex.autoconfigure.actuate;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A Redis password, searched for everywhere an application shows something: all it logs
 * (AutoMutex, Spring Data Redis and Lettuce at DEBUG), the messages and stack traces of
 * the exceptions it throws, health details and the {@code mutex} endpoint's answers;
 * through startup, locking, renewal, Redis paused ({@code kill
 * -STOP}) so that commands time out and leases are lost, and a wrong password at startup.
 */
@Timeout(120)
@ExtendWith(OutputCaptureExtension.class)
class RedisPasswordTests {

	private static final String USER = "automutex";

	private static final String PASSWORD = "Zq7-mutex-secret-4242";

	private static final String WRONG_PASSWORD = "Wr0ng-mutex-secret-1717";

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final ActuatorApplications applications = new ActuatorApplications();

	private final List<String> shown = new ArrayList<>();

	@BeforeEach
	void createUser() {
		// The engine's rule and INFO, for Spring Boot's own Redis health indicator.
		assertThat(redis.server()
			.command("ACL SETUSER " + USER + " reset on >" + PASSWORD + " " + RedisAclUserTests.AUTOMUTEX_RULE
					+ " +info"))
			.isEqualTo("+OK");
	}

	@AfterEach
	void close() {
		this.applications.close();
		signal("CONT");
		redis.server().flushAll();
		redis.server().command("ACL DELUSER " + USER);
	}

	@Test
	void passwordAppearsInNoLogExceptionHealthDetailOrEndpointAnswer(CapturedOutput output) throws Exception {
		ConfigurableApplicationContext application = this.applications.start(arguments(PASSWORD));
		MutexTemplate mutex = application.getBean(MutexTemplate.class);
		MutexLock held = mutex.lock("video:7", Duration.ZERO, Duration.ofSeconds(1));
		show(application, "/actuator/mutex", 200);
		show(application, "/actuator/mutex/video:7", 200);
		show(application, "/actuator/health", 200);
		show(application, "/actuator/health/mutex", 200);

		signal("STOP");
		try {
			show(application, "/actuator/health/mutex", 503);
			show(application, "/actuator/health", 503);
			show(application, "/actuator/mutex", 200);
			this.shown.add(stackTrace(() -> mutex.lock("video:8", Duration.ZERO, Duration.ofSeconds(30))));
			this.shown.add(stackTrace(() -> mutex.isLocked("video:8")));
			// Renewal fails while Redis is paused, until the lease is given up.
			await().atMost(Duration.ofSeconds(20)).until(() -> output.getOut().contains("could not be renewed"));
		}
		finally {
			signal("CONT");
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> !held.isHeld());
		show(application, "/actuator/health/mutex", 200);

		assertThat(this.shown).hasSizeGreaterThan(8).noneMatch((text) -> text.contains(PASSWORD));
		assertThat(output.getAll()).contains("could not be renewed").doesNotContain(PASSWORD);
	}

	@Test
	void wrongPasswordStopsStartupNamingTheAddressAndAuthenticationButNotThePassword(CapturedOutput output) {
		// mutex.store=redis (ActuatorApplications.redisArguments): Redis must answer at
		// startup.
		String failure = stackTrace(() -> this.applications.start(arguments(WRONG_PASSWORD)));
		assertThat(failure).contains("Redis at 127.0.0.1:" + redis.server().port(), "authentication failed")
			.doesNotContain(WRONG_PASSWORD)
			.doesNotContain(PASSWORD);
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START", "authentication failed")
			.doesNotContain(WRONG_PASSWORD);
	}

	private static String[] arguments(String password) {
		List<String> arguments = new ArrayList<>(List.of(ActuatorApplications.redisArguments(redis.server())));
		arguments.addAll(List.of("--spring.data.redis.username=" + USER, "--spring.data.redis.password=" + password,
				"--mutex.expire=1s", "--management.endpoint.health.show-components=always",
				"--logging.level.dev.automutex=DEBUG", "--logging.level.org.springframework.data.redis=DEBUG",
				"--logging.level.io.lettuce=DEBUG"));
		return arguments.toArray(String[]::new);
	}

	private void show(ConfigurableApplicationContext application, String path, int status) throws Exception {
		this.shown.add(this.applications.call(application, "GET", path, status).toString());
	}

	private static String stackTrace(ThrowingCallable call) {
		Throwable thrown = catchThrowable(call::call);
		assertThat(thrown).as("an exception").isNotNull();
		StringWriter text = new StringWriter();
		thrown.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	private static void signal(String signal) {
		RedisServer server = redis.server();
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).start();
			assertThat(kill.waitFor()).isZero();
		}
		catch (Exception ex) {
			throw new IllegalStateException("kill -" + signal + " failed", ex);
		}
	}

	@FunctionalInterface
	interface ThrowingCallable {

		void call() throws Throwable;

	}

}
