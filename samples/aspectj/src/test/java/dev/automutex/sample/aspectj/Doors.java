package dev.automutex.sample.aspectj;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.annotation.AutoMutex;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.context.annotation.Scope;
import org.springframework.stereotype.Component;

/**
 * A bean whose public methods call its own {@code @AutoMutex} methods, one public and one
 * private, and count how many calls are inside them at once; a new one for each test. Its
 * lost-update counter reads, works and writes without atomics, so calls that overlap lose
 * updates.
 */
@Component
@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
class Doors {

	private final AtomicInteger inside = new AtomicInteger();

	private final AtomicInteger mostInside = new AtomicInteger();

	private volatile @Nullable CyclicBarrier meeting;

	private int passes;

	public void enter(String door) {
		pass(door); // a self-call
	}

	public void knock(String door) {
		listen(door); // a self-call of a private method
	}

	public void tryEnter(String door) {
		peek(door); // a self-call that does not wait
	}

	@AutoMutex(on = "#door", block = "20s")
	public void pass(String door) {
		inside();
	}

	@AutoMutex(on = "#door", block = "20s")
	private void listen(String door) {
		inside();
	}

	@AutoMutex(on = "#door", block = "0s")
	public void peek(String door) {
		inside();
	}

	/**
	 * Make each call wait inside until the given number of calls are inside at once: only
	 * calls that do not exclude each other get there.
	 */
	void meetInside(CyclicBarrier meeting) {
		this.meeting = meeting;
	}

	int mostInside() {
		return this.mostInside.get();
	}

	int passes() {
		return this.passes;
	}

	private void inside() {
		this.mostInside.accumulateAndGet(this.inside.incrementAndGet(), Math::max);
		try {
			CyclicBarrier meeting = this.meeting;
			if (meeting != null) {
				meeting.await(10, TimeUnit.SECONDS);
			}
			int seen = this.passes;
			LockSupport.parkNanos(200_000L); // work between the read and the write
			this.passes = seen + 1;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			this.inside.decrementAndGet();
		}
	}

}
