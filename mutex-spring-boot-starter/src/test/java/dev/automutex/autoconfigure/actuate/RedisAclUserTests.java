package dev.automutex.autoconfigure.actuate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Each Redis engine, run by two applications as a Redis ACL user that has only the
 * permissions README lists for that engine (the rules below, which README must show
 * verbatim): every feature works and Redis refuses nothing ({@code ACL LOG} stays empty),
 * while a key or a channel outside the prefix is refused.
 */
@Timeout(120)
class RedisAclUserTests {

	/** README: the AutoMutex engine's rule, for {@code mutex.prefix=mutex}. */
	static final String AUTOMUTEX_RULE = "resetchannels ~mutex:* &mutex:wake:* -@all +ping +evalsha +eval "
			+ "+get +set +del +pexpire +pttl +time +zadd +zrange +zrem +zcard +zscore +hset +hget +hdel +publish "
			+ "+scan +subscribe +unsubscribe";

	/** README: the Spring Integration engine's rule, for {@code mutex.prefix=mutex}. */
	static final String SPRING_INTEGRATION_RULE = "resetchannels ~mutex:* ~mutex-fencing &mutex-channel:* -@all "
			+ "+ping +evalsha +eval +get +set +pexpire +unlink +exists +pttl +incr +time +publish +scan +psubscribe";

	private static final String USER = "automutex";

	private static final String PASSWORD = "acl-user-Pa55word";

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	private final ActuatorApplications applications = new ActuatorApplications();

	private final ExecutorService executor = Executors.newCachedThreadPool();

	@AfterEach
	void close() {
		this.executor.shutdownNow();
		this.applications.close();
		redis.server().flushAll();
		redis.server().command("ACL DELUSER " + USER);
		redis.server().command("ACL LOG RESET");
	}

	@Test
	void readmeShowsEachRuleVerbatim() throws IOException {
		assertThat(readme()).contains(AUTOMUTEX_RULE, SPRING_INTEGRATION_RULE);
	}

	@Test
	void automutexEngineNeedsNothingMoreThanItsRule() throws Exception {
		everyFeatureWorksAndNothingIsRefused("automutex", AUTOMUTEX_RULE);
	}

	@Test
	void springIntegrationEngineNeedsNothingMoreThanItsRule() throws Exception {
		everyFeatureWorksAndNothingIsRefused("spring-integration", SPRING_INTEGRATION_RULE);
	}

	@Test
	void aPrefixOutsideTheRuleIsRefusedAndTheFailureSaysNoperm() throws Exception {
		RedisServer server = redis.server();
		server.command("ACL SETUSER " + USER + " reset on >" + PASSWORD + " " + AUTOMUTEX_RULE);
		List<String> arguments = new ArrayList<>(List.of(ActuatorApplications.redisArguments(server)));
		arguments.addAll(List.of("--spring.data.redis.username=" + USER, "--spring.data.redis.password=" + PASSWORD,
				"--mutex.prefix=other", "--management.health.redis.enabled=false"));
		MutexTemplate mutex = this.applications.start(arguments.toArray(String[]::new)).getBean(MutexTemplate.class);
		assertThatException().isThrownBy(() -> mutex.lock("room:1", Duration.ZERO, Duration.ofSeconds(30)))
			.withMessageContaining("Redis at 127.0.0.1:" + server.port() + " failed")
			.withMessageContaining("NOPERM this user has no permissions to access one of the keys used as arguments");
		assertThat(server.command("EXISTS other:{room:1}")).isEqualTo(":0");
	}

	@Test
	void aUserWhoMayNotPingStopsStartupSayingAPermissionIsMissing() {
		RedisServer server = redis.server();
		server.command("ACL SETUSER " + USER + " reset on >" + PASSWORD + " " + AUTOMUTEX_RULE.replace(" +ping ", " "));
		List<String> arguments = new ArrayList<>(List.of(ActuatorApplications.redisArguments(server)));
		arguments.addAll(List.of("--spring.data.redis.username=" + USER, "--spring.data.redis.password=" + PASSWORD,
				"--management.health.redis.enabled=false"));
		assertThatException().isThrownBy(() -> this.applications.start(arguments.toArray(String[]::new)))
			.withStackTraceContaining("Redis at 127.0.0.1:" + server.port()
					+ " refused a command to this user: an ACL permission is missing")
			.withStackTraceContaining("NOPERM this user has no permissions to run the 'ping' command");
	}

	private void everyFeatureWorksAndNothingIsRefused(String engine, String rule) throws Exception {
		RedisServer server = redis.server();
		assertThat(server.command("ACL SETUSER " + USER + " reset on >" + PASSWORD + " " + rule)).isEqualTo("+OK");
		server.command("ACL LOG RESET");
		List<String> arguments = new ArrayList<>(List.of(ActuatorApplications.redisArguments(server)));
		arguments.addAll(List.of("--spring.data.redis.username=" + USER, "--spring.data.redis.password=" + PASSWORD,
				"--mutex.redis.engine=" + engine, "--mutex.expire=1s", "--mutex.actuator.force-release=true",
				// Spring Boot's own Redis health indicator sends INFO (README).
				"--management.health.redis.enabled=false"));
		ConfigurableApplicationContext first = this.applications.start(arguments.toArray(String[]::new));
		ConfigurableApplicationContext second = this.applications.start(arguments.toArray(String[]::new));
		MutexTemplate mutexA = first.getBean(MutexTemplate.class);
		MutexTemplate mutexB = second.getBean(MutexTemplate.class);

		assertThat(this.applications.get(first, "/actuator/health/mutex", 200).get("status").asString())
			.isEqualTo("UP");
		MutexLock held = mutexA.lock("room:1");
		assertThat(held.fencingToken()).isPositive();
		String redisKey = engine.equals("automutex") ? "mutex:{room:1}" : "mutex:room:1";
		// Renewed: the key outlives its 1s time-to-live, in Redis all along.
		long lockedAt = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
			assertThat(pttl(server, redisKey)).as("time-to-live of %s", redisKey).isPositive();
			return System.nanoTime() - lockedAt > Duration.ofMillis(2500).toNanos();
		});
		assertThat(mutexB.isLocked("room:1")).isTrue();
		JsonNode holder = this.applications.get(second, "/actuator/mutex/room:1", 200);
		assertThat(holder.get("thisInstance").asBoolean()).isFalse();
		JsonNode inStore = this.applications.get(second, "/actuator/mutex", 200).get("inStore");
		assertThat(inStore.get("held")).extracting((key) -> key.get("key").asString()).containsExactly("room:1");

		Future<Long> waiter = this.executor.submit(() -> {
			try (MutexLock next = mutexB.lock("room:1", Duration.ofSeconds(30), Duration.ofSeconds(30))) {
				return next.fencingToken();
			}
		});
		assertThat(held.isHeld()).isTrue();
		long firstToken = held.fencingToken();
		assertThat(held.release()).isTrue();
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isGreaterThan(firstToken);

		// Passed between two threads of one instance while the other instance waits too.
		MutexLock local = mutexA.lock("room:3", Duration.ZERO, Duration.ofSeconds(30));
		Future<Long> remoteWaiter = this.executor.submit(() -> {
			try (MutexLock next = mutexB.lock("room:3", Duration.ofSeconds(30), Duration.ofSeconds(30))) {
				return next.fencingToken();
			}
		});
		AtomicReference<Thread> localThread = new AtomicReference<>();
		Future<Long> localWaiter = this.executor.submit(() -> {
			localThread.set(Thread.currentThread());
			// Another lease than the holder's: the key passes through Redis.
			try (MutexLock next = mutexA.lock("room:3", Duration.ofSeconds(30), Duration.ofSeconds(20))) {
				return next.fencingToken();
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> isWaiting(localThread.get()));
		assertThat(local.release()).isTrue();
		assertThat(localWaiter.get(30, TimeUnit.SECONDS)).isPositive();
		assertThat(remoteWaiter.get(30, TimeUnit.SECONDS)).isPositive();

		MutexLock stuck = mutexB.lock("room:2", Duration.ZERO, Duration.ofSeconds(30));
		this.applications.call(first, "DELETE", "/actuator/mutex/room:2", 200);
		assertThat(mutexA.isLocked("room:2")).isFalse();
		assertThat(stuck.isHeld()).isFalse();

		assertThat(server.reply("ACL LOG")).as("what Redis refused the user").isEmpty();

		// The rule is narrow: a key or a channel outside the prefix is refused.
		StringRedisTemplate template = new StringRedisTemplate(first.getBean(RedisConnectionFactory.class));
		assertThatException().isThrownBy(() -> template.opsForValue().set("other:key", "x"))
			.withStackTraceContaining("NOPERM");
		assertThatException().isThrownBy(() -> template.opsForValue().get("session:1"))
			.withStackTraceContaining("NOPERM");
		assertThatException().isThrownBy(() -> template.convertAndSend("other-channel", "x"))
			.withStackTraceContaining("NOPERM");
		assertThat(server.reply("ACL LOG")).contains("other:key", "session:1", "other-channel");

		server.command("ACL LOG RESET");
		this.applications.close();
		assertThat(server.reply("ACL LOG")).as("what Redis refused the user at shutdown").isEmpty();
	}

	private static boolean isWaiting(Thread thread) {
		return thread != null
				&& (thread.getState() == Thread.State.WAITING || thread.getState() == Thread.State.TIMED_WAITING);
	}

	private static long pttl(RedisServer server, String key) {
		return Long.parseLong(server.command("PTTL " + key).substring(1));
	}

	static String readme() throws IOException {
		return Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
	}

}
