package dev.automutex.reliability;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexLock;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;

/**
 * Threads that lock and release keys again and again through a fault, one key per thread,
 * and record how long each call took and when locking first worked again after a moment
 * (the fault). Thread-safe.
 */
final class LockProbes implements AutoCloseable {

	/** Pause between a thread's attempts, so that the probes do not flood Redis. */
	private static final Duration PACE = Duration.ofMillis(50);

	private final ExecutorService threads;

	private final AtomicLong since = new AtomicLong(Long.MAX_VALUE);

	private final AtomicLong firstSuccess = new AtomicLong();

	private final AtomicLong longestNanos = new AtomicLong();

	private final AtomicInteger calls = new AtomicInteger();

	private final AtomicInteger acquired = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private volatile boolean stopped;

	/**
	 * Start the threads, the keys dealt out among them.
	 * @param mutex the template to lock with
	 * @param keys the keys, at least one per thread
	 * @param threadCount how many threads
	 * @param block how long each attempt waits for its key
	 */
	LockProbes(MutexTemplate mutex, List<String> keys, int threadCount, Duration block) {
		this.threads = Executors.newFixedThreadPool(threadCount);
		for (int t = 0; t < threadCount; t++) {
			Deque<String> own = new ArrayDeque<>();
			for (int i = t; i < keys.size(); i += threadCount) {
				own.add(keys.get(i));
			}
			this.threads.execute(() -> probe(mutex, own, block));
		}
	}

	// A key goes back in the queue only after a clean lock and release: after a failure
	// it may stay taken in Redis until its lease ends (a release that did not arrive, a
	// lock whose answer was lost), which would say nothing about locking working again.
	private void probe(MutexTemplate mutex, Deque<String> keys, Duration block) {
		List<String> retired = new ArrayList<>();
		while (!this.stopped) {
			if (keys.isEmpty()) {
				keys.addAll(retired);
				retired.clear();
			}
			String key = keys.removeFirst();
			long start = System.nanoTime();
			boolean clean = false;
			try {
				Optional<MutexLock> lock = mutex.tryLock(MutexRequest.of(key).block(block));
				if (lock.isPresent()) {
					clean = lock.get().release();
					this.acquired.incrementAndGet();
					if (start - this.since.get() >= 0) {
						this.firstSuccess.compareAndSet(0, System.nanoTime());
					}
				}
			}
			catch (RuntimeException ex) {
				this.failed.incrementAndGet();
			}
			((clean) ? keys : retired).add(key);
			this.calls.incrementAndGet();
			this.longestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
			// Pacing, not synchronisation.
			LockSupport.parkNanos(PACE.toNanos());
		}
	}

	/**
	 * Mark the moment from which {@link #firstSuccessNanos()} counts: the first
	 * acquisition by a call that started at or after it.
	 * @param nanos the moment, in {@link System#nanoTime()}
	 */
	void markFrom(long nanos) {
		this.since.set(nanos);
	}

	/**
	 * When locking first worked again after {@link #markFrom(long)}.
	 * @return the {@link System#nanoTime()} of the first acquisition, 0 if none yet
	 */
	long firstSuccessNanos() {
		return this.firstSuccess.get();
	}

	/**
	 * The longest call so far, lock and release together.
	 * @return its duration
	 */
	Duration longest() {
		return Duration.ofNanos(this.longestNanos.get());
	}

	String summary() {
		return String.format("%d calls: %d acquired, %d failed (Redis errors), %d timed out", this.calls.get(),
				this.acquired.get(), this.failed.get(), this.calls.get() - this.acquired.get() - this.failed.get());
	}

	/**
	 * Stop the threads and wait for their last calls.
	 * @param timeout how long to wait for them
	 * @return whether every thread ended in time
	 */
	boolean stop(Duration timeout) throws InterruptedException {
		this.stopped = true;
		this.threads.shutdown();
		return this.threads.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.stopped = true;
		this.threads.shutdownNow();
	}

}
