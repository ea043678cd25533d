package dev.automutex.autoconfigure.actuate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code mutex} Actuator endpoint and health contributor, through real HTTP calls to
 * applications on a random port, on the local store and on Redis.
 */
class MutexActuatorTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final ActuatorApplications applications = new ActuatorApplications();

	@AfterEach
	void close() {
		this.applications.close();
	}

	@Test
	void localStoreShowsTheKeysThisInstanceHoldsAndWhoHoldsOne() throws Exception {
		ConfigurableApplicationContext application = start("--mutex.store=local");
		MutexTemplate mutex = application.getBean(MutexTemplate.class);
		JsonNode none = get(application, "/actuator/mutex", 200);
		assertThat(none.get("store").asString()).isEqualTo("local");
		assertThat(none.get("held")).isEmpty();
		try (MutexLock lock = mutex.lock("room:1")) {
			JsonNode held = get(application, "/actuator/mutex", 200).get("held");
			assertThat(held).hasSize(1);
			assertThat(held.get(0).get("key").asString()).isEqualTo("room:1");
			assertThat(held.get(0).get("thread").asString()).isEqualTo(Thread.currentThread().getName());
			assertThat(held.get(0).get("since").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
			assertThat(held.get(0).get("leaseLeft").isNull()).as("local keys do not expire").isTrue();
			assertThat(held.get(0).get("fencingToken").asLong()).isEqualTo(lock.fencingToken());
			JsonNode holder = get(application, "/actuator/mutex/room:1", 200);
			assertThat(holder.get("thisInstance").asBoolean()).isTrue();
			assertThat(holder.get("thread").asString()).isEqualTo(Thread.currentThread().getName());
			status(application, "/actuator/mutex/room:2", 404);
		}
		status(application, "/actuator/mutex/room:1", 404);
		JsonNode health = get(application, "/actuator/health/mutex", 200);
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("details").get("store").asString()).isEqualTo("local");
	}

	@Test
	void endpointIsHiddenUntilExposed() throws Exception {
		ConfigurableApplicationContext application = startUnexposed("--mutex.store=local");
		status(application, "/actuator/mutex", 404);
	}

	@Test
	void redisShowsLeasesAndTokensHereAndTheHolderInAnotherInstance() throws Exception {
		ConfigurableApplicationContext first = start(redisArguments());
		ConfigurableApplicationContext second = start(redisArguments());
		try (MutexLock lock = first.getBean(MutexTemplate.class)
			.lock("video:7", Duration.ZERO, Duration.ofSeconds(30))) {
			JsonNode mutexes = get(first, "/actuator/mutex", 200);
			assertThat(mutexes.get("store").asString()).isEqualTo("redis");
			assertThat(mutexes.get("engine").asString()).isEqualTo("automutex");
			assertThat(mutexes.get("details").asString()).contains("127.0.0.1:" + redis.server().port());
			JsonNode held = mutexes.get("held").get(0);
			assertThat(held.get("key").asString()).isEqualTo("video:7");
			assertThat(Duration.parse(held.get("leaseLeft").asString())).isBetween(Duration.ofSeconds(20),
					Duration.ofSeconds(30));
			assertThat(held.get("fencingToken").asLong()).isEqualTo(lock.fencingToken());
			JsonNode elsewhere = get(second, "/actuator/mutex/video:7", 200);
			assertThat(elsewhere.get("thisInstance").asBoolean()).isFalse();
			assertThat(elsewhere.get("thread").isNull()).isTrue();
			assertThat(Duration.parse(elsewhere.get("leaseLeft").asString())).isPositive();
			assertThat(get(second, "/actuator/mutex", 200).get("held")).isEmpty();
		}
		status(second, "/actuator/mutex/video:7", 404);
	}

	@Test
	void redisHealthPingsAndIsDownWhileRedisDoesNotAnswer() throws Exception {
		ConfigurableApplicationContext application = start(redisArguments());
		JsonNode up = get(application, "/actuator/health/mutex", 200);
		assertThat(up.get("status").asString()).isEqualTo("UP");
		assertThat(up.get("details").get("redis").asString()).isEqualTo("127.0.0.1:" + redis.server().port());
		assertThat(Duration.parse(up.get("details").get("pingLatency").asString())).isPositive();
		signal("STOP");
		try {
			JsonNode down = get(application, "/actuator/health/mutex", 503);
			assertThat(down.get("status").asString()).isEqualTo("DOWN");
		}
		finally {
			signal("CONT");
		}
		assertThat(get(application, "/actuator/health/mutex", 200).get("status").asString()).isEqualTo("UP");
	}

	@Test
	void redisPasswordAppearsNowhere() throws Exception {
		String password = "s3cret-mutex-password";
		assertThat(redis.server().command("CONFIG SET requirepass " + password)).isEqualTo("+OK");
		try {
			List<String> arguments = new ArrayList<>(List.of(redisArguments()));
			arguments.add("--spring.data.redis.password=" + password);
			ConfigurableApplicationContext application = start(arguments.toArray(String[]::new));
			try (MutexLock lock = application.getBean(MutexTemplate.class).lock("k")) {
				assertThat(body(application, "/actuator/mutex")).doesNotContain(password).contains("\"k\"");
				assertThat(body(application, "/actuator/health/mutex")).doesNotContain(password).contains("UP");
			}
		}
		finally {
			clearPassword(password);
		}
	}

	private static String[] redisArguments() {
		return ActuatorApplications.redisArguments(redis.server());
	}

	private ConfigurableApplicationContext start(String... arguments) {
		return this.applications.start(arguments);
	}

	private ConfigurableApplicationContext startUnexposed(String... arguments) {
		return this.applications.startUnexposed(arguments);
	}

	private JsonNode get(ConfigurableApplicationContext application, String path, int status) throws Exception {
		return this.applications.get(application, path, status);
	}

	private void status(ConfigurableApplicationContext application, String path, int status) throws Exception {
		this.applications.status(application, path, status);
	}

	private String body(ConfigurableApplicationContext application, String path) throws Exception {
		return this.applications.body(application, path);
	}

	// One connection: AUTH, then the password is removed.
	private static void clearPassword(String password) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", redis.server().port())) {
			socket.getOutputStream()
				.write(("AUTH " + password + "\r\nCONFIG SET requirepass \"\"\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			BufferedReader reader = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(reader.readLine()).isEqualTo("+OK");
			assertThat(reader.readLine()).isEqualTo("+OK");
		}
	}

	private static void signal(String signal) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(redis.server().pid())).start();
		assertThat(kill.waitFor()).isZero();
	}

}
