package dev.automutex.reliability.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * How a worker talks to the suite: reports are lines on standard output that start with
 * {@code @@ } (everything else, logging included, is only kept for diagnostics), and the
 * suite's instructions are lines on standard input.
 */
final class WorkerOutput {

	private static final BufferedReader input = new BufferedReader(
			new InputStreamReader(System.in, StandardCharsets.UTF_8));

	private WorkerOutput() {
	}

	static void report(String line) {
		synchronized (System.out) {
			System.out.println("@@ " + line);
			System.out.flush();
		}
	}

	/**
	 * Block until the suite sends a line.
	 * @return the line, or {@code null} when the suite closed the stream (it is gone)
	 */
	static @Nullable String awaitInstruction() {
		try {
			return input.readLine();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
