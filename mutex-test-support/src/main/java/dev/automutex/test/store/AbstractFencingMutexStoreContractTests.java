package dev.automutex.test.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexLock;
import dev.automutex.MutexLostException;
import dev.automutex.store.FencingMutexStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The contract of a {@link FencingMutexStore}: every acquisition of a key gets a token
 * greater than all earlier ones, whatever the thread; one acquisition keeps its token,
 * nested holds share it; a released lock gets none. Run it beside the store's main
 * contract test.
 *
 * @since 0.1.0
 */
public abstract class AbstractFencingMutexStoreContractTests extends AbstractMutexStoreTestSupport {

	@Override
	protected abstract FencingMutexStore createStore() throws Exception;

	@Test
	void fencingTokensGrowWithEveryAcquisitionWhateverTheThread() throws Exception {
		List<Long> inAcquisitionOrder = new ArrayList<>();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> workers = new ArrayList<>();
		for (int t = 0; t < 4; t++) {
			workers.add(this.executor.submit(() -> {
				awaitLatch(start);
				for (int i = 0; i < 25; i++) {
					try (MutexLock lock = this.mutex.lock("account:1", Duration.ofSeconds(20))) {
						long token = lock.fencingToken();
						assertThat(lock.fencingToken()).as("the same for one acquisition").isEqualTo(token);
						synchronized (inAcquisitionOrder) {
							inAcquisitionOrder.add(token);
						}
					}
				}
				return null;
			}));
		}
		start.countDown();
		for (Future<?> worker : workers) {
			worker.get(50, TimeUnit.SECONDS);
		}
		assertThat(inAcquisitionOrder).hasSize(100).isSorted().doesNotHaveDuplicates();
	}

	@Test
	void fencingTokenOfAReleasedLockIsRefused() {
		MutexLock lock = this.mutex.lock("k");
		lock.release();
		assertThatExceptionOfType(MutexLostException.class).isThrownBy(lock::fencingToken)
			.satisfies((ex) -> assertThat(ex.keys()).containsExactly("k"));
	}

	@Test
	void nestedHoldsShareTheOutermostHoldsToken() {
		try (MutexLock outer = this.mutex.lock("k")) {
			try (MutexLock inner = this.mutex.lock("k")) {
				assertThat(inner.fencingToken()).isEqualTo(outer.fencingToken());
			}
			assertThat(outer.fencingToken()).as("the same after the nested hold").isEqualTo(outer.fencingToken());
		}
	}

	@Test
	void severalKeysHaveATokenEach() {
		try (MutexLock both = this.mutex.lockAll(List.of("a", "b"))) {
			assertThat(both.fencingToken("a")).isPositive();
			assertThat(both.fencingToken("b")).isPositive();
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(both::fencingToken);
		}
	}

}
