package dev.automutex.store;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Owner death on Redis: a real child JVM takes a key and is killed; the key frees itself
 * once its expire time has passed, and another instance takes it. On both Redis engines
 * (the child runs the same engine).
 */
@Timeout(60)
@ParameterizedClass
@EnumSource(RedisEngine.class)
class RedisOwnerDeathTests {

	@RegisterExtension
	static final RedisServerExtension redisServer = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private LettuceConnectionFactory connection;

	private MutexStore store;

	@BeforeEach
	void createStore() {
		redisServer.server().flushAll();
		this.connection = RedisMutexStoreContractTests.connectionFactory(redisServer.server());
		this.store = this.engine.store(this.connection, "mutex", Duration.ofSeconds(10));
	}

	@AfterEach
	void destroyStore() throws Exception {
		if (this.store instanceof DisposableBean disposable) {
			disposable.destroy();
		}
		this.connection.destroy();
	}

	@Test
	void keyOfAKilledProcessIsFreeOnceItsExpireHasPassed() throws Exception {
		long expireMillis = 2000;
		Process holder = startHolder("job:7", expireMillis);
		try {
			awaitLine(holder, "HELD");
			MutexTemplate mutex = new MutexTemplate(this.store);
			assertThat(mutex.holder("job:7")).hasValueSatisfying((seen) -> assertThat(seen.thisInstance()).isFalse());

			holder.destroyForcibly();
			assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
			long killedAt = System.nanoTime();

			// Dead, but its lease runs on: nobody may take the key before it ends.
			Long ttl = Long.parseLong(redisServer.server().command("PTTL " + redisKey("job:7")).substring(1));
			assertThat(ttl).isPositive();
			assertThat(mutex.tryLock("job:7")).isEmpty();

			AtomicReference<MutexLock> taken = new AtomicReference<>();
			// Polled on this thread: a lock belongs to the thread that takes it.
			await().pollInSameThread()
				.atMost(Duration.ofMillis(expireMillis + 5000))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> {
					mutex.tryLock("job:7").ifPresent(taken::set);
					return taken.get() != null;
				});
			Duration afterKill = Duration.ofNanos(System.nanoTime() - killedAt);
			assertThat(afterKill).as("freed by expiry, not earlier")
				.isGreaterThanOrEqualTo(Duration.ofMillis(ttl - 100));
			assertThat(taken.get().release()).isTrue();
		}
		finally {
			holder.destroyForcibly();
		}
	}

	/**
	 * The crash case: an instance that was already waiting for the key when its
	 * holder's JVM was killed gets it within the key's expire (plus 0.5 s) of the kill,
	 * not at the end of its own wait.
	 * <p>
	 * AutoMutex's engine sleeps at most the key's time-to-live. Spring Integration's
	 * engine passes only because {@link RedisMutexStore} waits in slices of
	 * {@link LockRegistryMutexStore#WAIT_SLICE_MILLIS} (200 ms), each a new attempt:
	 * RedisLockRegistry's pub/sub waiter alone sleeps its whole wait after a holder crash
	 * (a key that expires publishes nothing). With {@code setWaitSlice(Duration.ZERO)}
	 * the waiter here got the key 10 s after the kill.
	 */
	@Test
	void waiterThatWaitedBeforeTheHolderWasKilledGetsTheKeyWithinItsExpire() throws Exception {
		long expireMillis = 3000;
		Process holder = startHolder("job:8", expireMillis);
		MutexTemplate mutex = new MutexTemplate(this.store);
		ExecutorService waiterThread = Executors.newSingleThreadExecutor((task) -> new Thread(task, "test-waiter"));
		try {
			awaitLine(holder, "HELD");
			// A lock belongs to the thread that takes it: taken and released on the
			// waiter's thread, which returns when it got the key.
			Future<Long> grantedAt = waiterThread.submit(() -> {
				Optional<MutexLock> taken = mutex.tryLock(MutexRequest.of("job:8").block(Duration.ofSeconds(10)));
				long at = System.nanoTime();
				assertThat(taken).as("the waiter got the key within its wait of 10 s").isPresent();
				assertThat(taken.get().release()).isTrue();
				return at;
			});
			await().atMost(Duration.ofSeconds(5)).alias("the waiter waits for job:8").until(() -> waits("job:8"));
			assertThat(grantedAt).as("the waiter, while the holder lives").isNotDone();

			long ttl = Long.parseLong(redisServer.server().command("PTTL " + redisKey("job:8")).substring(1));
			long killedAt = System.nanoTime();
			holder.destroyForcibly();
			assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();

			Duration afterKill = Duration.ofNanos(grantedAt.get(20, TimeUnit.SECONDS) - killedAt);
			System.out.printf("Crashed holder on %s: the waiter got the key %d ms after the kill (expire %d ms, "
					+ "PTTL at the kill %d ms)%n", this.engine, afterKill.toMillis(), expireMillis, ttl);
			assertThat(afterKill).as("from the kill to the waiter's grant (PTTL at the kill %d ms)", ttl)
				.isLessThanOrEqualTo(Duration.ofMillis(expireMillis + 500));
		}
		finally {
			holder.destroyForcibly();
			waiterThread.shutdownNow();
			mutex.destroy();
		}
	}

	/**
	 * Whether an instance is waiting for the key in Redis: its first attempt failed and
	 * it now waits for a wake-up.
	 */
	private boolean waits(String key) {
		return switch (this.engine) {
			// The waiting instance is queued under <prefix>:{k}:q.
			case AUTOMUTEX -> redisServer.server().command("EXISTS " + redisKey(key) + ":q").equals(":1");
			// RedisLockRegistry subscribes to its unlock channels (a pattern) when a
			// pub/sub lock attempt first fails; nothing else here subscribes to one.
			case SPRING_INTEGRATION -> !redisServer.server().command("PUBSUB NUMPAT").equals(":0");
		};
	}

	/** Where this test's engine keeps a key of prefix {@code mutex} in Redis. */
	private String redisKey(String key) {
		return this.engine.redisKey("mutex", key);
	}

	private Process startHolder(String key, long expireMillis) throws Exception {
		String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
		return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
				HoldKeyProcess.class.getName(), String.valueOf(redisServer.server().port()), key,
				String.valueOf(expireMillis), this.engine.name()))
			.redirectErrorStream(true)
			.start();
	}

	private static void awaitLine(Process process, String expected) throws Exception {
		BufferedReader out = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
			StringBuilder all = new StringBuilder();
			try {
				String line;
				while ((line = out.readLine()) != null) {
					if (line.equals(expected)) {
						return line;
					}
					all.append(line).append('\n');
				}
			}
			catch (java.io.IOException ex) {
				all.append(ex);
			}
			throw new IllegalStateException("child exited without '" + expected + "':\n" + all);
		});
		assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
	}

}
