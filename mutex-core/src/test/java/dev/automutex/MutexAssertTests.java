package dev.automutex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * {@link MutexAssert}: code that must run under its lock fails when it does not.
 */
class MutexAssertTests {

	private final MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());

	@AfterEach
	void releaseAll() {
		this.mutex.releaseAll();
	}

	@Test
	void passesUnderTheKeyConvertedAsTheTemplateConvertsIt() {
		this.mutex.withLock("account:7", () -> {
			MutexAssert.assertHeld("account:7");
			MutexAssert.assertHeld();
			return null;
		});
		try (MutexLock lock = this.mutex.lock(42L)) {
			assertThatNoException().isThrownBy(() -> MutexAssert.assertHeld(42L));
			assertThatNoException().isThrownBy(() -> MutexAssert.assertHeld(new MutexKey(lock.keys().get(0))));
		}
		try (MutexLock both = this.mutex.lockAll(List.of("a", "b"))) {
			MutexAssert.assertHeld("a");
			MutexAssert.assertHeld("b");
		}
	}

	@Test
	void failsNamingTheKeyAndTheThreadWhenNotHeld() {
		String thread = Thread.currentThread().getName();
		assertThatIllegalStateException().isThrownBy(() -> MutexAssert.assertHeld("account:7"))
			.withMessageContaining("'account:7'")
			.withMessageContaining("'" + thread + "'")
			.withMessageContaining("it holds no mutex")
			.withMessageContaining("same class");
		assertThatIllegalStateException().isThrownBy(MutexAssert::assertHeld)
			.withMessageContaining("'" + thread + "' holds no mutex");
		try (MutexLock other = this.mutex.lock("account:8")) {
			assertThatIllegalStateException().isThrownBy(() -> MutexAssert.assertHeld("account:7"))
				.withMessageContaining("'account:7'")
				.withMessageContaining("it holds [account:8]");
		}
	}

	@Test
	void failsAfterTheRelease() {
		this.mutex.lock("k").release();
		assertThatIllegalStateException().isThrownBy(() -> MutexAssert.assertHeld("k"));
	}

	@Test
	void failsOnAThreadOtherThanTheHolder() throws Exception {
		try (MutexLock lock = this.mutex.lock("k")) {
			Throwable other = CompletableFuture.supplyAsync(() -> {
				try {
					MutexAssert.assertHeld("k");
					return null;
				}
				catch (IllegalStateException ex) {
					return ex;
				}
			}).get(10, TimeUnit.SECONDS);
			assertThat(other).isInstanceOf(IllegalStateException.class).hasMessageContaining("'k'");
			MutexAssert.assertHeld("k");
		}
	}

	@Test
	void failsWhenTheTemplateLearntTheKeyWasLost() {
		FakeLeaseStore store = new FakeLeaseStore();
		MutexTemplate leases = new MutexTemplate(store);
		leases.setDefaultExpire(Duration.ofMillis(300));
		try (MutexLock lock = leases.lock("k")) {
			MutexAssert.assertHeld("k");
			store.drop("k"); // an operator's DEL: the next renewal finds the key gone
			await().atMost(Duration.ofSeconds(5)).until(lock::isLost);
			assertThatIllegalStateException().isThrownBy(() -> MutexAssert.assertHeld("k"))
				.withMessageContaining("'k' was lost");
		}
		finally {
			leases.destroy();
		}
	}

	@Test
	void refusesANullKey() {
		assertThatIllegalArgumentException().isThrownBy(() -> MutexAssert.assertHeld(null))
			.withMessageContaining("MutexAssert.assertHeld");
	}

}
