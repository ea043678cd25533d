package dev.automutex;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Tells a holder, its callbacks and the template's loss listener that a key was lost, at
 * most once per hold.
 * <p>
 * User code (loss callbacks, the listener, which the Spring Boot starter turns into a
 * {@link MutexLostEvent}) never runs on the thread that found the loss, which may be a
 * renewal thread or a releasing holder: it runs on one notification thread of its own,
 * one notification at a time, created on the first loss. A slow or failing listener then
 * delays other notifications, never a renewal, and never makes {@code release()} throw.
 * AutoMutex's own quick reactions ({@link MutexLock#interruptOnLoss()}) run at once on
 * the finding thread.
 */
final class LossReporter {

	private static final Logger logger = LoggerFactory.getLogger(LossReporter.class);

	private static final AtomicInteger instances = new AtomicInteger();

	private volatile Consumer<MutexLostException> listener = (ex) -> {
	};

	private volatile @Nullable ExecutorService notifier;

	private volatile boolean shutdown;

	void setListener(Consumer<MutexLostException> listener) {
		Assert.notNull(listener, "lossListener must not be null");
		this.listener = listener;
	}

	/**
	 * A key was found lost while held (by renewal, {@code isHeld()}, a refused fencing
	 * token, or another thread being granted it). Reported only if nobody reported it
	 * first and the hold has not ended.
	 * @param record the record of the lost key
	 * @param how how the loss was found, for the log
	 * @return whether this call reported it
	 */
	boolean lost(HeldKey record, String how) {
		if (record.markLost()) {
			report(record, how);
			return true;
		}
		return false;
	}

	/**
	 * Report a loss: warn, interrupt where asked, and notify callbacks and listener on
	 * the notification thread.
	 * @param record the record of the lost key
	 * @param how how the loss was found, for the log
	 */
	void report(HeldKey record, String how) {
		logger.warn("Mutex '{}' held by thread '{}' was lost: {}; its work may overlap with another holder's",
				record.key, record.holder.getName(), how);
		List<HeldKey.LossCallback> callbacks = record.takeCallbacks();
		for (HeldKey.LossCallback registered : callbacks) {
			if (registered.inline() && !registered.lock().isReleased()) {
				registered.callback().run();
			}
		}
		MutexLostException lost = new MutexLostException(List.of(record.key),
				"Mutex '" + record.key + "' was lost while held by thread '" + record.holder.getName() + "': " + how);
		Consumer<MutexLostException> listener = this.listener;
		notify(() -> {
			for (HeldKey.LossCallback registered : callbacks) {
				if (!registered.inline()) {
					run(record, registered.callback(), "callback");
				}
			}
			run(record, () -> listener.accept(lost), "listener");
		});
	}

	private void notify(Runnable notification) {
		ExecutorService executor = notifier();
		if (executor != null) {
			try {
				executor.execute(notification);
				return;
			}
			catch (RejectedExecutionException ex) {
				// shut down meanwhile: run it here
			}
		}
		notification.run();
	}

	private static void run(HeldKey record, Runnable action, String what) {
		try {
			action.run();
		}
		catch (Throwable ex) {
			logger.warn("A loss {} for mutex '{}' failed", what, record.key, ex);
		}
	}

	private @Nullable ExecutorService notifier() {
		ExecutorService current = this.notifier;
		if (current == null && !this.shutdown) {
			synchronized (this) {
				current = this.notifier;
				if (current == null && !this.shutdown) {
					ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
							new LinkedBlockingQueue<>(), (runnable) -> {
								Thread thread = new Thread(runnable,
										"mutex-loss-notifier-" + instances.incrementAndGet());
								thread.setDaemon(true);
								return thread;
							});
					executor.allowCoreThreadTimeOut(true);
					this.notifier = executor;
					current = executor;
				}
			}
		}
		return current;
	}

	/**
	 * Let queued notifications run, then stop; later losses are told on the thread that
	 * finds them.
	 */
	void shutdown() {
		synchronized (this) {
			this.shutdown = true;
			ExecutorService current = this.notifier;
			this.notifier = null;
			if (current != null) {
				current.shutdown();
			}
		}
	}

}
