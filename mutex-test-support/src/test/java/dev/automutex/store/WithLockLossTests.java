package dev.automutex.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@code withLock} whose key was lost while the action ran ends in
 * {@link MutexLostException} instead of returning normally, as an {@code @AutoMutex}
 * method does; the action's own exception, if it threw one, wins. On both Redis engines.
 */
@Timeout(30)
@ParameterizedClass
@EnumSource(RedisEngine.class)
class WithLockLossTests {

	@RegisterExtension
	static final RedisServerExtension redis = new RedisServerExtension();

	@Parameter
	RedisEngine engine;

	private RedisInstance instance;

	private RedisInstance otherInstance;

	private MutexTemplate mutex;

	/** Another instance on the same Redis. */
	private MutexTemplate other;

	@BeforeEach
	void createInstances() {
		redis.server().flushAll();
		this.instance = RedisInstance.start(redis.server(), this.engine);
		this.otherInstance = RedisInstance.start(redis.server(), this.engine);
		this.mutex = this.instance.mutex();
		this.other = this.otherInstance.mutex();
	}

	@AfterEach
	void destroyInstances() throws Exception {
		this.instance.close();
		this.otherInstance.close();
	}

	@Test
	void supplierWhoseKeyWasRemovedEndsInMutexLostException() {
		assertThatExceptionOfType(MutexLostException.class).isThrownBy(() -> this.mutex.withLock("invoice:42", () -> {
			redis.server().command("DEL " + redisKey("invoice:42"));
			return "booked";
		})).satisfies((ex) -> assertThat(ex.keys()).containsExactly("invoice:42")).withMessageContaining("invoice:42");
	}

	@Test
	void supplierWhoseKeyWasTakenOverByAnotherInstanceEndsInMutexLostException() {
		MutexLock[] successor = new MutexLock[1];
		try {
			assertThatExceptionOfType(MutexLostException.class)
				.isThrownBy(() -> this.mutex.withLock("invoice:42", Duration.ofSeconds(1), () -> {
					redis.server().command("DEL " + redisKey("invoice:42"));
					Optional<MutexLock> taken = this.other.tryLock("invoice:42");
					assertThat(taken).as("the other instance took the removed key").isPresent();
					successor[0] = taken.get();
					return "booked";
				}))
				.satisfies((ex) -> assertThat(ex.keys()).containsExactly("invoice:42"))
				.withMessageContaining("invoice:42");
			assertThat(this.other.isLocked("invoice:42")).as("the successor still holds the key").isTrue();
		}
		finally {
			if (successor[0] != null) {
				successor[0].release();
			}
		}
	}

	@Test
	void runnableWhoseKeyWasRemovedEndsInMutexLostException() {
		AtomicBoolean ran = new AtomicBoolean();
		assertThatExceptionOfType(MutexLostException.class)
			.isThrownBy(() -> this.mutex.withLock("invoice:42", Duration.ofSeconds(1), () -> {
				redis.server().command("DEL " + redisKey("invoice:42"));
				ran.set(true);
			}))
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("invoice:42"))
			.withMessageContaining("invoice:42");
		assertThat(ran).isTrue();
	}

	@Test
	void runnableWithDefaultBlockWhoseKeyWasRemovedEndsInMutexLostException() {
		assertThatExceptionOfType(MutexLostException.class).isThrownBy(
				() -> this.mutex.withLock("invoice:42", () -> redis.server().command("DEL " + redisKey("invoice:42"))))
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("invoice:42"));
	}

	/**
	 * Passes on the old code too: guards the rule that the action's own exception wins.
	 */
	@Test
	void actionThatLosesItsKeyAndThrowsGivesItsOwnException() {
		assertThatIllegalStateException().isThrownBy(() -> this.mutex.withLock("invoice:42", () -> {
			redis.server().command("DEL " + redisKey("invoice:42"));
			throw new IllegalStateException("declined");
		})).withMessage("declined");
		assertThatIllegalStateException()
			.isThrownBy(() -> this.mutex.<String>withLock("invoice:42", Duration.ofSeconds(1), () -> {
				redis.server().command("DEL " + redisKey("invoice:42"));
				throw new IllegalStateException("declined again");
			}))
			.withMessage("declined again");
	}

	@Test
	void keyReleasedCleanlyEndsNormally() {
		assertThat(this.mutex.withLock("invoice:42", () -> "booked")).isEqualTo("booked");
		assertThat(this.mutex.isLocked("invoice:42")).isFalse();
	}

	/** Where this test's engine keeps a key of prefix {@code mutex} in Redis. */
	private String redisKey(String key) {
		return this.engine.redisKey("mutex", key);
	}

}
