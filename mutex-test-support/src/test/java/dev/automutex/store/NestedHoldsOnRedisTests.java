package dev.automutex.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Re-entrant (nested) holds of a key on Redis never touch the store: a nested acquire
 * neither shortens the outer hold's lease (the outer hold's expire is kept) nor takes
 * back a key that was lost behind its holder. Two instances are two stores with their own
 * connections and registries, as two application instances have. On both Redis engines.
 */
@ParameterizedClass
@EnumSource(RedisEngine.class)
class NestedHoldsOnRedisTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private RedisInstance a;

	private RedisInstance b;

	private MutexTemplate instanceA;

	private MutexTemplate instanceB;

	private final List<MutexLostException> lossesReportedToA = new CopyOnWriteArrayList<>();

	@BeforeEach
	void createInstances() {
		redis.server().flushAll();
		this.a = RedisInstance.start(redis.server(), this.engine);
		this.b = RedisInstance.start(redis.server(), this.engine);
		this.instanceA = this.a.mutex();
		this.instanceA.setDefaultExpire(Duration.ofSeconds(10));
		this.instanceA.setLossListener(this.lossesReportedToA::add);
		this.instanceB = this.b.mutex();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.a.close();
		this.b.close();
	}

	@Test
	void nestedLockWithShorterExpireKeepsTheOuterLease() {
		try (MutexLock outer = this.instanceA.lock("k", Duration.ofSeconds(1), Duration.ofSeconds(30))) {
			assertThat(pttl(redisKey("k"))).isGreaterThan(20_000L);
			try (MutexLock nested = this.instanceA.lock("k", Duration.ofSeconds(1), Duration.ofMillis(500))) {
				assertThat(pttl(redisKey("k"))).as("lease of the outer hold after a nested lock with expire 500 ms")
					.isGreaterThan(20_000L);
			}
			assertThat(pttl(redisKey("k"))).as("lease of the outer hold after the nested hold was released")
				.isGreaterThan(20_000L);
		}
	}

	/**
	 * The consequence: with the lease cut to the nested expire, another instance would
	 * take the key.
	 */
	@Test
	void nestedLockWithShorterExpireKeepsOtherInstancesOutWhileTheOuterHoldLasts() {
		try (MutexLock outer = this.instanceA.lock("k", Duration.ofSeconds(1), Duration.ofSeconds(30))) {
			this.instanceA.lock("k", Duration.ofSeconds(1), Duration.ofMillis(500)).release();
			// Well past the nested expire, and nowhere near the renewal of the outer
			// hold (a third of 30 s).
			await().alias("instance B kept out of k for 1.2 s")
				.during(Duration.ofMillis(1200))
				.atMost(Duration.ofSeconds(3))
				.until(() -> !instanceBCouldTake("k"));
			assertThat(outer.isHeld()).isTrue();
		}
	}

	/**
	 * The key was deleted behind A and B took it: A's nested lock must not leave A
	 * believing it holds the key, whether the nested call fails with
	 * {@link MutexLostException} or succeeds without asking Redis.
	 */
	@Test
	void nestedLockAfterTheKeyWasTakenOverLeavesItToTheSuccessorAndReportsTheLoss() {
		MutexLock outer = this.instanceA.lock("k");
		redis.server().command("DEL " + redisKey("k"));
		Optional<MutexLock> successor = this.instanceB.tryLock("k");
		assertThat(successor).as("instance B takes the key deleted behind A").isPresent();
		try {
			MutexLock nested = nestedLockOrNullIfLost("k");
			if (nested != null) {
				assertThat(nested.isHeld()).isFalse();
				assertThat(nested.release()).isFalse();
			}
			assertThat(outer.isHeld()).isFalse();
			assertThat(outer.release()).isFalse();
			assertThat(successor.get().isHeld()).as("B still holds k").isTrue();
			assertThat(redis.server().command("EXISTS " + redisKey("k"))).isEqualTo(":1");
			assertLossReportedToA("k");
		}
		finally {
			this.instanceA.releaseAll();
			successor.get().release();
		}
	}

	/**
	 * The key was deleted behind A, and B took it and released it: A's nested lock must
	 * not SET the absent key, which would let A's stale hold commit, release normally and
	 * carry a token larger than B's.
	 */
	@Test
	void nestedLockAfterTheSuccessorReleasedDoesNotTakeTheLostKeyBack() {
		MutexLock outer = this.instanceA.lock("k");
		long outerToken = outer.fencingToken();
		redis.server().command("DEL " + redisKey("k"));
		MutexLock successor = this.instanceB.tryLock("k").orElseThrow();
		long successorToken = successor.fencingToken();
		assertThat(successorToken).isGreaterThan(outerToken);
		assertThat(successor.release()).isTrue();
		try {
			MutexLock nested = nestedLockOrNullIfLost("k");
			assertThat(redis.server().command("EXISTS " + redisKey("k"))).as(redisKey("k") + " after A's nested lock")
				.isEqualTo(":0");
			if (nested != null) {
				assertThat(nested.isHeld()).isFalse();
				Long nestedToken = null;
				try {
					nestedToken = nested.fencingToken();
				}
				catch (MutexLostException expected) {
					// No token for a lost hold: as good as a smaller one.
				}
				if (nestedToken != null) {
					assertThat(nestedToken).as("token of the stale nested hold").isLessThan(successorToken);
				}
				assertThat(nested.release()).isFalse();
			}
			assertThat(outer.isHeld()).isFalse();
			assertThat(outer.release()).isFalse();
			assertThat(redis.server().command("EXISTS " + redisKey("k"))).isEqualTo(":0");
			assertLossReportedToA("k");
		}
		finally {
			this.instanceA.releaseAll();
		}
	}

	@Test
	void nestedLockAfterTheLossIsKnownThrowsMutexLostException() {
		MutexLock outer = this.instanceA.lock("k");
		try {
			redis.server().command("DEL " + redisKey("k"));
			assertThat(outer.isHeld()).isFalse();
			assertThatExceptionOfType(MutexLostException.class).isThrownBy(() -> this.instanceA.lock("k"))
				.satisfies((ex) -> assertThat(ex.keys()).containsExactly("k"));
			assertThat(redis.server().command("EXISTS " + redisKey("k"))).isEqualTo(":0");
			assertThat(outer.release()).isFalse();
		}
		finally {
			this.instanceA.releaseAll();
		}
	}

	/**
	 * A's nested {@code lock(k)}: the lock if it succeeded, {@code null} if it reported
	 * the loss.
	 */
	private MutexLock nestedLockOrNullIfLost(String key) {
		MutexLock[] nested = new MutexLock[1];
		assertThatNoException().as("A's nested lock: succeeds or throws MutexLostException").isThrownBy(() -> {
			try {
				nested[0] = this.instanceA.lock(key);
			}
			catch (MutexLostException ex) {
				assertThat(ex.keys()).containsExactly(key);
			}
		});
		return nested[0];
	}

	private void assertLossReportedToA(String key) {
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.lossesReportedToA).as("losses reported to A's loss listener")
				.anySatisfy((ex) -> assertThat(ex.keys()).contains(key)));
	}

	/** Whether instance B can take the key now; releases it at once if so. */
	private boolean instanceBCouldTake(String key) {
		Optional<MutexLock> taken = this.instanceB.tryLock(key);
		taken.ifPresent(MutexLock::release);
		return taken.isPresent();
	}

	/** Where this test's engine keeps a key of prefix {@code mutex} in Redis. */
	private String redisKey(String key) {
		return this.engine.redisKey("mutex", key);
	}

	private static long pttl(String key) {
		return Long.parseLong(redis.server().command("PTTL " + key).substring(1));
	}

}
