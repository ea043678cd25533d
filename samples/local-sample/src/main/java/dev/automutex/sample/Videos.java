package dev.automutex.sample;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import dev.automutex.MutexHolder;
import dev.automutex.MutexOperations;
import dev.automutex.annotation.AutoMutex;

import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Service;

/**
 * Elixir Mutex's video-encoding example: a request learns at once whether the video is
 * being encoded, and the encoding runs on another thread that holds the key until it
 * ends.
 */
@Service
public class Videos {

	private final MutexOperations mutex;

	private final Executor executor;

	public Videos(MutexOperations mutex, Executor applicationTaskExecutor) {
		this.mutex = mutex;
		this.executor = applicationTaskExecutor;
	}

	/**
	 * Start encoding; throws {@code MutexLockException} at once if the video is being
	 * encoded already.
	 */
	public CompletableFuture<String> startEncoding(String id) {
		return this.mutex.withLockAsync("video:" + id, this.executor, () -> encode(id));
	}

	/**
	 * The same with {@code @Async}: the key is held on the async thread for as long as
	 * the encoding runs.
	 */
	@Async
	@AutoMutex(on = "#videoId", block = "0s")
	public CompletableFuture<String> encodeAsync(String videoId) {
		return CompletableFuture.completedFuture(encode(videoId));
	}

	/**
	 * Wait until an encoding has finished, without taking the key (Locker's
	 * {@code wait_for_release}).
	 */
	public boolean awaitEncoded(String id, java.time.Duration timeout) {
		return this.mutex.awaitRelease("video:" + id, timeout);
	}

	/**
	 * Who is encoding a video, if anyone.
	 */
	public Optional<MutexHolder> encoder(String id) {
		return this.mutex.holder("video:" + id);
	}

	private String encode(String id) {
		Work.simulate();
		return "encoded video " + id;
	}

}
