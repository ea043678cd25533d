package dev.automutex.reliability.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Detects two holders inside one critical section across processes: entering creates a
 * marker file with {@code CREATE_NEW}, which fails if another holder is inside; leaving
 * deletes it. Independent of Redis, so a Redis fault cannot hide an overlap.
 */
final class OverlapDetector {

	private final Path marker;

	private final AtomicInteger overlaps = new AtomicInteger();

	OverlapDetector(Path marker) {
		this.marker = marker;
	}

	/**
	 * Enter the critical section.
	 * @return whether this caller created the marker and must {@link #leave} it
	 */
	boolean enter() {
		try {
			Files.createFile(this.marker);
			return true;
		}
		catch (FileAlreadyExistsException ex) {
			this.overlaps.incrementAndGet();
			return false;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void leave(boolean entered) {
		if (entered) {
			try {
				Files.delete(this.marker);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	int overlaps() {
		return this.overlaps.get();
	}

}
