package dev.automutex.reliability.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexLock;
import dev.automutex.MutexLockException;
import dev.automutex.MutexRequest;
import dev.automutex.MutexTemplate;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The jobs a worker runs, chosen by {@code --worker.job}:
 * <ul>
 * <li>{@code count}: {@code --worker.threads} threads add {@code --worker.increments} in
 * all to the {@link SharedCounter} ({@code --worker.counter=file|redis}), with the lock
 * or, with {@code --worker.locked=false}, without; starts on {@code GO} and reports
 * {@code DONE increments= overlaps= errors= millis=};</li>
 * <li>{@code hold}: takes {@code --worker.key} at once, reports {@code HELD token=} and
 * holds it until {@code STOP} (or until the process is killed);</li>
 * <li>{@code wait}: reports {@code WAITING}, waits up to {@code --worker.block} for the
 * key, reports {@code GRANTED <epoch ms>}, holds it {@code --worker.hold-for}, releases
 * it and reports {@code RELEASED <epoch ms>} (or {@code TIMEOUT});</li>
 * <li>{@code soak}: see {@link SoakJob};</li>
 * <li>{@code none}: nothing (the suite's own in-process applications).</li>
 * </ul>
 * A job that fails reports {@code ERROR <exception>} and the worker exits with 1.
 */
@Component
class WorkerJobs implements ApplicationRunner {

	private final MutexTemplate mutex;

	private final SharedCounter counter;

	private final SoakJob soak;

	private final Environment environment;

	private volatile int status;

	WorkerJobs(MutexTemplate mutex, SharedCounter counter, SoakJob soak, Environment environment) {
		this.mutex = mutex;
		this.counter = counter;
		this.soak = soak;
		this.environment = environment;
	}

	int status() {
		return this.status;
	}

	@Override
	public void run(ApplicationArguments args) {
		String job = this.environment.getProperty("worker.job", "none");
		try {
			switch (job) {
				case "none" -> {
				}
				case "count" -> count();
				case "hold" -> hold();
				case "wait" -> waitForKey();
				case "soak" -> this.soak.run();
				default -> throw new IllegalArgumentException("Unknown --worker.job=" + job);
			}
		}
		catch (Throwable ex) {
			WorkerOutput.report("ERROR " + ex);
			ex.printStackTrace();
			this.status = 1;
		}
	}

	private void count() throws Exception {
		boolean inRedis = "redis".equals(required("worker.counter"));
		Path file = Path.of(required("worker.file"));
		OverlapDetector detector = new OverlapDetector(Path.of(required("worker.marker")));
		int increments = Integer.parseInt(required("worker.increments"));
		int threads = Integer.parseInt(required("worker.threads"));
		boolean locked = Boolean.parseBoolean(this.environment.getProperty("worker.locked", "true"));
		AtomicInteger errors = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			WorkerOutput.report("READY");
			awaitGo();
			long start = System.nanoTime();
			List<Future<?>> tasks = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int share = increments / threads + ((t < increments % threads) ? 1 : 0);
				tasks.add(executor.submit(() -> {
					for (int i = 0; i < share; i++) {
						try {
							if (locked) {
								this.counter.incrementLocked(inRedis, file, detector);
							}
							else {
								this.counter.increment(inRedis, file, detector);
							}
						}
						catch (RuntimeException ex) {
							errors.incrementAndGet();
							System.err.println("Increment failed: " + ex);
						}
					}
				}));
			}
			for (Future<?> task : tasks) {
				task.get();
			}
			long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
			WorkerOutput.report("DONE increments=" + increments + " overlaps=" + detector.overlaps() + " errors="
					+ errors.get() + " millis=" + millis);
		}
		finally {
			executor.shutdownNow();
		}
	}

	private void hold() {
		MutexLock lock = this.mutex.lock(MutexRequest.of(required("worker.key")).block(Duration.ZERO));
		WorkerOutput.report("HELD token=" + lock.fencingToken());
		String instruction;
		do {
			instruction = WorkerOutput.awaitInstruction();
		}
		while (instruction != null && !instruction.equals("STOP"));
		lock.release();
	}

	private void waitForKey() {
		Duration block = Duration.parse("PT" + required("worker.block").toUpperCase());
		long holdFor = Long.parseLong(this.environment.getProperty("worker.hold-for", "0"));
		WorkerOutput.report("WAITING");
		try (MutexLock lock = this.mutex.lock(MutexRequest.of(required("worker.key")).block(block))) {
			WorkerOutput.report("GRANTED " + System.currentTimeMillis() + " token=" + lock.fencingToken());
			// Work while holding the key, so that a second waiter's grant can be checked
			// to come after this release.
			LockSupport.parkNanos(Duration.ofMillis(holdFor).toNanos());
		}
		catch (MutexLockException ex) {
			WorkerOutput.report("TIMEOUT " + ex.getMessage());
			return;
		}
		WorkerOutput.report("RELEASED " + System.currentTimeMillis());
	}

	private void awaitGo() {
		String instruction = WorkerOutput.awaitInstruction();
		if (!"GO".equals(instruction)) {
			throw new IllegalStateException("Expected GO from the suite, got " + instruction);
		}
	}

	private String required(String property) {
		return this.environment.getRequiredProperty(property);
	}

}
