package dev.automutex.autoconfigure;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.automutex.MutexOperations;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link MutexOperations#sweep()} every {@code mutex.sweep-interval} on one daemon
 * thread, so that keys abandoned by dead threads and cached lock objects cannot pile up.
 *
 * @since 0.1.0
 */
public class MutexSweeper implements SmartLifecycle {

	private static final Logger logger = LoggerFactory.getLogger(MutexSweeper.class);

	private final MutexOperations mutex;

	private final Duration interval;

	private volatile @Nullable ScheduledExecutorService executor;

	/**
	 * Create a sweeper.
	 * @param mutex what to sweep
	 * @param interval how often; zero turns sweeping off
	 */
	public MutexSweeper(MutexOperations mutex, Duration interval) {
		this.mutex = mutex;
		this.interval = interval;
	}

	@Override
	public void start() {
		if (this.interval.isZero() || this.executor != null) {
			return;
		}
		ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "mutex-sweeper");
			thread.setDaemon(true);
			return thread;
		});
		long millis = Math.max(1, this.interval.toMillis());
		scheduler.scheduleWithFixedDelay(this::sweep, millis, millis, TimeUnit.MILLISECONDS);
		this.executor = scheduler;
	}

	void sweep() {
		try {
			int swept = this.mutex.sweep();
			if (swept > 0) {
				logger.debug("AutoMutex sweep removed {} idle or abandoned entries", swept);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("AutoMutex sweep failed; trying again in {}", this.interval, ex);
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService scheduler = this.executor;
		this.executor = null;
		if (scheduler != null) {
			scheduler.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

}
