package dev.automutex.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A worker JVM: this suite's jar started with {@code worker} and a job
 * ({@code --job=count}, {@code hold}, {@code wait}, {@code soak}), a Spring Boot
 * application with the AutoMutex starter. It reports on its standard output in lines that
 * start with {@code @@ } (see {@code WorkerOutput}); the suite reads them here and talks
 * back on its standard input ({@code GO}, {@code STOP}).
 *
 * @since 0.1.0
 */
final class WorkerProcess implements AutoCloseable {

	/**
	 * How long a worker may take to start: a Spring Boot application usually starts in
	 * seconds, but three at once on a loaded 2-core machine took over 90 s.
	 */
	static final Duration STARTUP = Duration.ofMinutes(5);

	private static final String MARK = "@@ ";

	private final String name;

	private final Process process;

	private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();

	private final Deque<String> lastLines = new ArrayDeque<>();

	private WorkerProcess(String name, Process process) {
		this.name = name;
		this.process = process;
		Thread reader = new Thread(this::read, "worker-output-" + name);
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Start a worker.
	 * @param name a name for messages
	 * @param arguments the worker's arguments (its job and Spring properties)
	 * @return the started worker
	 */
	static WorkerProcess start(String name, List<String> arguments) {
		List<String> command = new ArrayList<>(SuiteOptions.workerCommand());
		command.add("--worker.name=" + name);
		command.addAll(arguments);
		try {
			return new WorkerProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start worker " + name + ": " + command, ex);
		}
	}

	private void read() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				synchronized (this.lastLines) {
					this.lastLines.addLast(line);
					if (this.lastLines.size() > 60) {
						this.lastLines.removeFirst();
					}
				}
				if (line.startsWith(MARK)) {
					this.reports.add(line.substring(MARK.length()));
				}
			}
		}
		catch (IOException ex) {
			// The process ended; what it printed so far is kept.
		}
	}

	/**
	 * Wait for the worker's next report that starts with {@code word}, skipping others.
	 * @param word the report's first word, such as {@code READY}
	 * @param timeout how long to wait
	 * @return the report's words after the first
	 * @throws IllegalStateException naming the worker and its last output when it does
	 * not come in time
	 */
	String await(String word, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			long left = deadline - System.nanoTime();
			@Nullable String report = (left > 0) ? this.reports.poll(left, TimeUnit.NANOSECONDS) : null;
			if (report == null) {
				throw new IllegalStateException(
						"Worker " + this.name + " did not report " + word + " within " + timeout.toMillis()
								+ " ms (alive: " + this.process.isAlive() + "); its last output:\n" + lastOutput());
			}
			if (report.equals(word) || report.startsWith(word + " ")) {
				return report.substring(word.length()).trim();
			}
			if (report.startsWith("ERROR ")) {
				throw new IllegalStateException("Worker " + this.name + " failed: " + report.substring(6)
						+ "\nIts last output:\n" + lastOutput());
			}
		}
	}

	/**
	 * Send one line to the worker's standard input.
	 * @param line the line, such as {@code GO}
	 */
	void send(String line) {
		try {
			OutputStream in = this.process.getOutputStream();
			in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
			in.flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write to worker " + this.name, ex);
		}
	}

	/**
	 * Kill the worker with {@code SIGKILL} ({@code kill -9}) and wait until it is gone.
	 */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Worker " + this.name + " survived SIGKILL for 10 s");
		}
	}

	/**
	 * Wait for the worker to exit.
	 * @param timeout how long to wait
	 * @return its exit code
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException("Worker " + this.name + " did not exit within " + timeout.toMillis()
					+ " ms; its last output:\n" + lastOutput());
		}
		return this.process.exitValue();
	}

	/**
	 * Parse {@code name=value} words.
	 * @param words the words
	 * @return the values by name
	 */
	static Map<String, String> fields(String words) {
		Map<String, String> fields = new HashMap<>();
		for (String word : words.split(" ")) {
			int equals = word.indexOf('=');
			if (equals > 0) {
				fields.put(word.substring(0, equals), word.substring(equals + 1));
			}
		}
		return fields;
	}

	// What the worker's threads are doing, to tell a stuck worker from a slow one.
	private String threadDump() {
		if (!this.process.isAlive()) {
			return "(gone)";
		}
		String java = SuiteOptions.workerCommand().get(0);
		String jcmd = java.endsWith("java") ? java.substring(0, java.length() - 4) + "jcmd" : "jcmd";
		try {
			Process dump = new ProcessBuilder(jcmd, Long.toString(this.process.pid()), "Thread.print")
				.redirectErrorStream(true)
				.start();
			String threads = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			dump.waitFor(30, TimeUnit.SECONDS);
			return threads;
		}
		catch (IOException ex) {
			return "(" + jcmd + " failed: " + ex.getMessage() + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "(interrupted)";
		}
	}

	long pid() {
		return this.process.pid();
	}

	String lastOutput() {
		synchronized (this.lastLines) {
			return String.join("\n", this.lastLines);
		}
	}

	@Override
	public void close() {
		this.process.destroyForcibly();
	}

	@Override
	public String toString() {
		return "worker " + this.name + " (pid " + this.process.pid() + ")";
	}

}
