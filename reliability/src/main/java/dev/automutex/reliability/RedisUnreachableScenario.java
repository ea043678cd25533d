package dev.automutex.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexException;
import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;
import dev.automutex.test.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;

/**
 * Scenario 4, Redis unreachable: at startup, {@code mutex.store=redis} must fail naming
 * Redis and the address; mid-run (Redis shut down with its data saved, started again 3 s
 * later), the application stays up, every error names Redis, locking works once Redis is
 * back, and nothing half-locked stays in Redis: no lock or queue key outlives the leases
 * of the holds that were cut off.
 */
final class RedisUnreachableScenario implements Scenario {

	private static final int THREADS = 8;

	private static final int KEYS = 20;

	private static final Duration EXPIRE = Duration.ofSeconds(3);

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	@Override
	public int number() {
		return 4;
	}

	@Override
	public String title() {
		return "Redis unreachable";
	}

	@Override
	public void run(SuiteOptions options, Report report) throws Exception {
		atStartup(report);
		try (RedisServer redis = RedisServer.start();
				ConfigurableApplicationContext app = RedisApplications.start(redis.port(),
						"--mutex.expire=" + EXPIRE.toMillis() + "ms")) {
			midRun(redis, app, report);
		}
	}

	private void atStartup(Report report) {
		int port = closedPort();
		String message;
		// Boot's failure report would repeat the message on the suite's output.
		try (ConfigurableApplicationContext app = RedisApplications.start(port,
				"--logging.level.org.springframework.boot.diagnostics=off")) {
			message = null;
		}
		catch (RuntimeException ex) {
			message = rootCause(ex).getMessage();
		}
		String expected = "Redis at 127.0.0.1:" + port;
		report.check(this, "at startup, mutex.store=redis fails naming Redis and the address",
				message != null && message.contains(expected), (message != null) ? message : "the application started");
	}

	private void midRun(RedisServer redis, ConfigurableApplicationContext app, Report report) throws Exception {
		MutexTemplate mutex = app.getBean(MutexTemplate.class);
		AtomicLong outageErrors = new AtomicLong();
		AtomicLong unclearErrors = new AtomicLong();
		AtomicLong afterOk = new AtomicLong();
		AtomicLong leftHeld = new AtomicLong();
		String address = "Redis at 127.0.0.1:" + redis.port();
		AtomicInteger phase = new AtomicInteger(); // 0 before, 1 outage, 2 after
		long end = System.nanoTime() + Duration.ofSeconds(2).plus(OUTAGE).plusSeconds(4).toNanos();
		ExecutorService threads = Executors.newFixedThreadPool(THREADS);
		List<Future<?>> tasks = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			tasks.add(threads.submit(() -> {
				while (System.nanoTime() < end) {
					try {
						operate(mutex);
						if (phase.get() == 2) {
							afterOk.incrementAndGet();
						}
					}
					catch (MutexLockException ex) {
						// busy: expected
					}
					catch (MutexException ex) {
						outageErrors.incrementAndGet();
						if (!String.valueOf(ex.getMessage()).contains(address)) {
							unclearErrors.incrementAndGet();
							System.err.println("An error that does not name " + address + ": " + ex);
						}
					}
				}
				leftHeld.addAndGet(MutexTemplate.locksOfCurrentThread().size());
			}));
		}
		// Locking runs 2 s, then the outage, then 4 s with Redis back.
		LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
		try {
			redis.command("SHUTDOWN SAVE");
		}
		catch (IllegalStateException ex) {
			// The server closes the connection instead of answering: expected.
		}
		phase.set(1);
		LockSupport.parkNanos(OUTAGE.toNanos());
		redis.restart();
		phase.set(2);
		for (Future<?> task : tasks) {
			task.get(60, TimeUnit.SECONDS);
		}
		threads.shutdown();
		report.check(this, "mid-run: the application stays up; every error names Redis; locking works when it returns",
				app.isActive() && unclearErrors.get() == 0 && afterOk.get() > 0 && leftHeld.get() == 0,
				String.format(
						"%d errors during the outage (%d without the address), %d operations after it, "
								+ "%d holds left on threads",
						outageErrors.get(), unclearErrors.get(), afterOk.get(), leftHeld.get()));
		long settled = System.nanoTime();
		// The leases of cut-off holds end on their own.
		Poll.until(EXPIRE.plusSeconds(3), () -> RedisApplications.halfLocked(redis.port()).isEmpty());
		List<String> halfLocked = RedisApplications.halfLocked(redis.port());
		report.check(this, "mid-run: nothing half-locked is left once the cut-off leases end",
				halfLocked.isEmpty() && mutex.renewalCount() == 0,
				String.format("%d lock or queue keys left after %d ms%s; renewal tasks %d", halfLocked.size(),
						Duration.ofNanos(System.nanoTime() - settled).toMillis(),
						halfLocked.isEmpty() ? "" : " " + halfLocked, mutex.renewalCount()));
	}

	private static void operate(MutexTemplate mutex) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		String key = "k" + random.nextInt(KEYS);
		switch (random.nextInt(3)) {
			case 0 -> {
				try (MutexLock lock = mutex.lock(MutexRequest.of(key).block(Duration.ofMillis(300)))) {
					LockSupport.parkNanos(Duration.ofMillis(random.nextInt(5)).toNanos()); // work
				}
			}
			case 1 -> mutex.tryLock(key).ifPresent(MutexLock::release);
			default -> mutex.withLock(key, Duration.ofMillis(300), () -> {
			});
		}
	}

	private static int closedPort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Throwable rootCause(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

}
