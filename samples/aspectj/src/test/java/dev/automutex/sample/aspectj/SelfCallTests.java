package dev.automutex.sample.aspectj;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import dev.automutex.MutexLockException;
import dev.automutex.MutexTemplate;
import dev.automutex.annotation.MutexAnnotationConfiguration;
import dev.automutex.aspectj.AutoMutexAspect;
import dev.automutex.test.HeldByAnotherThread;
import org.aspectj.lang.Aspects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * With {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)} and the AspectJ agent (the
 * build's surefire {@code argLine}), calls of an {@code @AutoMutex} method from inside
 * its own class are locked: ten at once on one key run one at a time and lose no update,
 * a private method included. In proxy mode the same ten calls run all at once
 * ({@code mutex-core}'s {@code ProxyModeSelfCallTests}).
 */
@SpringBootTest
@Timeout(60)
class SelfCallTests {

	private static final int THREADS = 10;

	@Autowired
	private ApplicationContext context;

	@Test
	void tenSelfCallsOnOneKeyRunOneAtATimeAndLoseNoUpdate() throws Exception {
		Doors doors = this.context.getBean(Doors.class);
		runAtOnce((i) -> doors.enter("front"));
		assertThat(doors.mostInside()).isOne();
		assertThat(doors.passes()).isEqualTo(THREADS);
	}

	@Test
	void privateMethodCalledFromItsClassIsLockedToo() throws Exception {
		Doors doors = this.context.getBean(Doors.class);
		runAtOnce((i) -> doors.knock("front"));
		assertThat(doors.mostInside()).isOne();
		assertThat(doors.passes()).isEqualTo(THREADS);
	}

	@Test
	void objectSpringDidNotCreateIsLockedToo() throws Exception {
		Doors doors = new Doors();
		runAtOnce((i) -> doors.enter("side"));
		assertThat(doors.mostInside()).isOne();
		assertThat(doors.passes()).isEqualTo(THREADS);
	}

	@Test
	void selfCallsOnDifferentKeysStillRunTogether() throws Exception {
		Doors doors = this.context.getBean(Doors.class);
		doors.meetInside(new CyclicBarrier(THREADS));
		runAtOnce((i) -> doors.enter("door-" + i));
		assertThat(doors.mostInside()).isEqualTo(THREADS);
	}

	@Test
	void busyKeyRefusesASelfCall() {
		Doors doors = this.context.getBean(Doors.class);
		try (HeldByAnotherThread held = HeldByAnotherThread.hold(this.context.getBean(MutexTemplate.class),
				"Doors#peek:back")) {
			assertThatExceptionOfType(MutexLockException.class).isThrownBy(() -> doors.tryEnter("back"));
		}
		assertThat(doors.passes()).isZero();
		doors.tryEnter("back");
		assertThat(doors.passes()).isOne();
	}

	@Test
	void stockRoomLosesNoDeliveryAndShipsNoItemTwice() throws Exception {
		StockRoom stockRoom = this.context.getBean(StockRoom.class);
		List<Boolean> shipped = new ArrayList<>();
		runAtOnce((i) -> stockRoom.receive("pear"));
		assertThat(stockRoom.count("pear")).isEqualTo(THREADS);
		runAtOnce((i) -> {
			boolean one = stockRoom.ship("pear");
			synchronized (shipped) {
				shipped.add(one);
			}
		});
		assertThat(shipped).containsOnly(true);
		assertThat(stockRoom.count("pear")).isZero();
		assertThat(stockRoom.ship("pear")).isFalse();
	}

	@Test
	void theAspectLocksAndNothingIsProxied() {
		assertThat(AopUtils.isAopProxy(this.context.getBean(StockRoom.class))).isFalse();
		assertThat(AopUtils.isAopProxy(this.context.getBean(Doors.class))).isFalse();
		assertThat(this.context.containsBean(MutexAnnotationConfiguration.ADVISOR_BEAN_NAME)).isFalse();
		assertThat(Aspects.aspectOf(AutoMutexAspect.class).isConfigured()).isTrue();
	}

	/**
	 * Run {@value #THREADS} calls that start together, and wait for all of them.
	 */
	private static void runAtOnce(IntConsumer call) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		try {
			CyclicBarrier start = new CyclicBarrier(THREADS);
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				int index = i;
				calls.add(executor.submit(() -> {
					start.await();
					call.accept(index);
					return null;
				}));
			}
			for (Future<?> future : calls) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

}
