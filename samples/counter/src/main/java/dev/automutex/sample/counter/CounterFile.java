package dev.automutex.sample.counter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Component;

/**
 * A number in a file, incremented by read-then-write: correct only if one task at a time
 * does it.
 */
@Component
public class CounterFile {

	/**
	 * Add one under the mutex {@code file_manager} (the seeds' key), so no update is
	 * lost.
	 * @param path the counter file
	 */
	@AutoMutex(name = "file_manager", block = "30s")
	public void increment(Path path) {
		incrementUnlocked(path);
	}

	/**
	 * Add one with no lock: tasks that read the same number overwrite each other's
	 * update.
	 * @param path the counter file
	 */
	public void incrementUnlocked(Path path) {
		int counter = read(path);
		LockSupport.parkNanos(20_000_000L); // some work between the read and the write
		write(path, counter + 1);
	}

	public int read(Path path) {
		try {
			return Integer.parseInt(Files.readString(path).trim());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public void write(Path path, int value) {
		try {
			Files.writeString(path, Integer.toString(value));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
