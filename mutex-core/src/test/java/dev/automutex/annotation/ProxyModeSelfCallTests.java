package dev.automutex.annotation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In proxy mode, the default, a call of an {@code @AutoMutex} method from inside its own
 * class does not go through the proxy and runs unlocked: ten such calls on one key run at
 * once. This is the limit that {@code @EnableAutoMutex(mode = AdviceMode.ASPECTJ)}
 * removes; {@code samples/aspectj}'s {@code SelfCallTests} run the same scenario woven
 * and find one call at a time, so this test also shows that its overlap detector can
 * fail.
 */
@Timeout(30)
class ProxyModeSelfCallTests {

	private static final int THREADS = 10;

	@Test
	void selfCallsRunUnlockedAllAtOnce() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Rooms rooms = context.getBean(Rooms.class);
			// Each call waits inside the method until all ten are inside: only possible
			// because none of them holds the key.
			rooms.meetInside(new CyclicBarrier(THREADS));
			runAtOnce(() -> rooms.enter("room-1"));
			assertThat(rooms.mostInside()).isEqualTo(THREADS);
		}
	}

	@Test
	void callsFromAnotherBeanAreLockedOneAtATime() throws Exception {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Rooms rooms = context.getBean(Rooms.class);
			runAtOnce(() -> rooms.occupy("room-1"));
			assertThat(rooms.mostInside()).isOne();
			assertThat(rooms.visits()).isEqualTo(THREADS);
		}
	}

	private static void runAtOnce(Runnable call) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(THREADS);
		try {
			CyclicBarrier start = new CyclicBarrier(THREADS);
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				calls.add(executor.submit(() -> {
					start.await();
					call.run();
					return null;
				}));
			}
			for (Future<?> future : calls) {
				future.get(20, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	/**
	 * Counts the calls inside {@link #occupy} at once; read through methods, since the
	 * bean is a CGLIB proxy whose own fields are empty.
	 */
	static class Rooms {

		private final AtomicInteger inside = new AtomicInteger();

		private final AtomicInteger mostInside = new AtomicInteger();

		private volatile @Nullable CyclicBarrier meeting;

		private int visits;

		public void meetInside(CyclicBarrier meeting) {
			this.meeting = meeting;
		}

		public int mostInside() {
			return this.mostInside.get();
		}

		public int visits() {
			return this.visits;
		}

		public void enter(String room) {
			occupy(room); // a self-call: the proxy does not see it
		}

		@AutoMutex(on = "#room", block = "20s")
		public void occupy(String room) {
			this.mostInside.accumulateAndGet(this.inside.incrementAndGet(), Math::max);
			try {
				CyclicBarrier meeting = this.meeting;
				if (meeting != null) {
					meeting.await(10, TimeUnit.SECONDS);
				}
				int seen = this.visits;
				LockSupport.parkNanos(200_000L); // work between the read and the write
				this.visits = seen + 1;
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			finally {
				this.inside.decrementAndGet();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Rooms rooms() {
			return new Rooms();
		}

	}

}
