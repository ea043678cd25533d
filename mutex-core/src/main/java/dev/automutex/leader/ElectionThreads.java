package dev.automutex.leader;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.util.Assert;

/**
 * The election threads of one {@link MutexLeaderInitiator}: counts the tasks its
 * executors run, so that stopping can wait for the last one to end (and so for the key to
 * be released).
 */
final class ElectionThreads {

	/** Tasks handed to an executor and not ended yet. Guarded by this. */
	private int running;

	/** The threads running them now. Guarded by this. */
	private final Set<Thread> threads = new HashSet<>();

	/**
	 * An executor that runs its tasks on {@code executor} and counts them.
	 * @param executor where the tasks run
	 * @return the counting executor
	 */
	AsyncTaskExecutor on(AsyncTaskExecutor executor) {
		Assert.notNull(executor, "taskExecutor must not be null");
		return (task) -> {
			submitted();
			try {
				executor.execute(() -> run(task));
			}
			catch (RuntimeException ex) {
				ended(null);
				throw ex;
			}
		};
	}

	private void run(Runnable task) {
		Thread thread = Thread.currentThread();
		synchronized (this) {
			this.threads.add(thread);
		}
		try {
			task.run();
		}
		finally {
			ended(thread);
		}
	}

	private synchronized void submitted() {
		this.running++;
	}

	private synchronized void ended(@Nullable Thread thread) {
		if (thread != null) {
			this.threads.remove(thread);
		}
		this.running--;
		notifyAll();
	}

	/**
	 * Wait until no task runs but the caller's own (an election thread that stops its
	 * initiator must not wait for itself).
	 * @param timeout the longest wait
	 * @return whether none runs
	 * @throws InterruptedException if the waiting thread is interrupted
	 */
	synchronized boolean awaitNone(Duration timeout) throws InterruptedException {
		int own = this.threads.contains(Thread.currentThread()) ? 1 : 0;
		long deadline = System.nanoTime() + saturatedNanos(timeout);
		while (this.running > own) {
			long left = deadline - System.nanoTime();
			if (left <= 0) {
				return false;
			}
			wait(Math.max(1, left / 1_000_000));
		}
		return true;
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return Long.MAX_VALUE;
		}
	}

}
