package dev.automutex.sample.counter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import dev.automutex.store.MutexStore;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Runs the counter with the lock and without it, and prints both totals.
 */
@Component
class Counting implements ApplicationRunner {

	static final int TASKS = 10;

	private final CounterFile counter;

	private final MutexStore store;

	Counting(CounterFile counter, MutexStore store) {
		this.counter = counter;
		this.store = store;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		System.out.println("Locking on " + this.store);
		System.out.println("Total count is: " + count(this.counter::increment));
		System.out.println(
				"Without the lock: Total count is: " + count(this.counter::incrementUnlocked) + " (updates were lost)");
	}

	/**
	 * Start {@value #TASKS} tasks at once, each adding one to a new counter file, and
	 * return the final count.
	 */
	int count(Consumer<Path> increment) throws Exception {
		Path path = Files.createTempFile("counter-", ".txt");
		try {
			this.counter.write(path, 0);
			ExecutorService executor = Executors.newFixedThreadPool(TASKS);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<?>> tasks = new ArrayList<>();
				for (int i = 0; i < TASKS; i++) {
					tasks.add(executor.submit(() -> {
						start.await();
						increment.accept(path);
						return null;
					}));
				}
				start.countDown();
				for (Future<?> task : tasks) {
					task.get();
				}
			}
			finally {
				executor.shutdown();
			}
			return this.counter.read(path);
		}
		finally {
			deleteQuietly(path);
		}
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// a temporary file; nothing to do
		}
	}

}
