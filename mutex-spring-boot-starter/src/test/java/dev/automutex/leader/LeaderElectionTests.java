package dev.automutex.leader;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.store.JdbcMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RedisLeaseMutexStore;
import dev.automutex.store.RedisMutexStore;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader election recipe ({@link LeaderConfiguration}) end to end: instances of
 * {@link LeaderApplication} on one store elect exactly one leader, which keeps leading
 * well past {@code mutex.expire}; when it stops, or its process is killed, another
 * instance leads.
 */
@Timeout(120)
class LeaderElectionTests {

	private static final String ROLE = "leader:reports";

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@BeforeEach
	void reset() {
		redisServer.server().flushAll();
		LeadershipRecorder.reset();
	}

	/**
	 * Two applications in this JVM (separate contexts, stores and connections, as two
	 * instances have) on each store the starter offers.
	 */
	@ParameterizedTest
	@EnumSource(Store.class)
	void oneOfTwoInstancesLeadsAndTheOtherLeadsOnceItsContextCloses(Store store) {
		Duration expire = Duration.ofSeconds(1);
		try (ConfigurableApplicationContext first = store.start(expire);
				ConfigurableApplicationContext second = store.start(expire)) {
			assertThat(first.getBean(MutexStore.class)).isInstanceOf(store.type);
			await().atMost(Duration.ofSeconds(10)).until(() -> leads(first) || leads(second));
			ConfigurableApplicationContext leader = leads(first) ? first : second;
			ConfigurableApplicationContext other = (leader == first) ? second : first;
			LeadershipRecorder leaderEvents = recorder(leader);
			LeadershipRecorder otherEvents = recorder(other);

			// Twice expire: the leader's key is renewed, the other never leads.
			await().during(expire.multipliedBy(2))
				.atMost(expire.multipliedBy(4))
				.until(() -> leads(leader) && !leads(other));
			assertThat(leaderEvents.granted).hasValue(1);
			assertThat(leaderEvents.revoked).hasValue(0);
			assertThat(otherEvents.granted).hasValue(0);

			long closedAt = System.nanoTime();
			leader.close();
			await().atMost(expire.plusSeconds(5)).until(() -> leads(other));
			Duration takeover = Duration.ofNanos(otherEvents.grantedAt.get() - closedAt);
			System.out.printf("Leader closed on %s: the other instance led %d ms later (expire %d ms)%n", store,
					takeover.toMillis(), expire.toMillis());
			assertThat(leaderEvents.revoked).hasValue(1);
			assertThat(otherEvents.term.get()).as("the next term's fencing token")
				.isGreaterThan(leaderEvents.term.get());
			// Not released, the key would live on for what is left of its time-to-live:
			// at least two thirds of expire, as it is renewed every third.
			assertThat(takeover).as("a closed leader releases its key: no wait for its expire")
				.isLessThan(expire.dividedBy(2));
			assertThat(LeadershipRecorder.mostAtOnce).as("instances leading at once").hasValue(1);
		}
	}

	/**
	 * The crash case: the leader runs in another JVM, which is killed; this
	 * instance leads within {@code expire} + 1 s of the kill, and never before it.
	 */
	@Test
	void whenTheLeadersProcessIsKilledAnotherInstanceLeadsWithinExpirePlusOneSecond() throws Exception {
		Duration expire = Duration.ofSeconds(2);
		Process child = startLeaderProcess(expire);
		try {
			CompletableFuture<String> output = awaitLine(child, "LEADER");
			assertThat(output.get(60, TimeUnit.SECONDS)).isEqualTo("LEADER");
			try (ConfigurableApplicationContext follower = Store.AUTOMUTEX.start(expire)) {
				// Twice expire: the child renews its key, so this instance does not lead.
				await().during(expire.multipliedBy(2))
					.atMost(expire.multipliedBy(3))
					.until(() -> !leads(follower)
							&& redisServer.server().command("EXISTS mutex:{" + ROLE + "}").equals(":1"));
				assertThat(recorder(follower).granted).hasValue(0);

				long killedAt = System.nanoTime();
				child.destroyForcibly();
				assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
				await().atMost(expire.plusSeconds(5)).until(() -> leads(follower));
				Duration takeover = Duration.ofNanos(recorder(follower).grantedAt.get() - killedAt);
				System.out.printf("Leader's process killed: this instance led %d ms after the kill (expire %d ms)%n",
						takeover.toMillis(), expire.toMillis());
				assertThat(takeover).as("from the kill to this instance's OnGrantedEvent")
					.isLessThanOrEqualTo(expire.plusSeconds(1));
				assertThat(recorder(follower).granted).hasValue(1);
			}
		}
		finally {
			child.destroyForcibly();
		}
	}

	private static boolean leads(ConfigurableApplicationContext context) {
		return context.isActive() && context.getBean(MutexLeaderInitiator.class).getContext().isLeader();
	}

	private static LeadershipRecorder recorder(ConfigurableApplicationContext context) {
		return context.getBean(LeadershipRecorder.class);
	}

	private static Process startLeaderProcess(Duration expire) throws IOException {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
				LeaderProcess.class.getName(), String.valueOf(redisServer.server().port()), expire.toMillis() + "ms"))
			.redirectErrorStream(true)
			.start();
	}

	/**
	 * Read the process's output on another thread, to its end (so that it never blocks on
	 * a full pipe), completing when {@code expected} is seen.
	 */
	private static CompletableFuture<String> awaitLine(Process process, String expected) {
		CompletableFuture<String> seen = new CompletableFuture<>();
		Thread reader = new Thread(() -> {
			StringBuilder all = new StringBuilder();
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = out.readLine()) != null) {
					if (line.equals(expected)) {
						seen.complete(line);
					}
					else if (!seen.isDone()) {
						all.append(line).append('\n');
					}
				}
			}
			catch (IOException ex) {
				all.append(ex);
			}
			seen.completeExceptionally(new IllegalStateException("child exited without '" + expected + "':\n" + all));
		}, "leader-process-output");
		reader.setDaemon(true);
		reader.start();
		return seen;
	}

	/** The stores the starter offers, as an instance is configured for each. */
	enum Store {

		AUTOMUTEX(RedisLeaseMutexStore.class),

		SPRING_INTEGRATION(RedisMutexStore.class, "mutex.redis.engine=spring-integration"),

		/** H2 in memory, one database for the whole JVM. */
		JDBC(JdbcMutexStore.class, "mutex.store=jdbc", "spring.datasource.url=jdbc:h2:mem:leader;DB_CLOSE_DELAY=-1");

		private final Class<? extends MutexStore> type;

		private final String[] properties;

		Store(Class<? extends MutexStore> type, String... properties) {
			this.type = type;
			this.properties = properties;
		}

		ConfigurableApplicationContext start(Duration expire) {
			List<String> properties = new ArrayList<>(List.of(this.properties));
			properties.add("spring.data.redis.host=" + redisServer.server().host());
			properties.add("spring.data.redis.port=" + redisServer.server().port());
			properties.add("mutex.expire=" + expire.toMillis() + "ms");
			return LeaderApplication.start(properties.toArray(String[]::new));
		}

	}

}
