package dev.automutex.sample.web;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexOperations;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Elixir Mutex's video-encoding hand-over: the request takes the key, hands it to a
 * worker thread that encodes while holding it, and answers 202 Accepted with a status URL
 * at once. A second request for the same video while it is encoded gets 409.
 */
@RestController
public class VideoController {

	private final MutexOperations mutex;

	private final Executor executor;

	private final Duration work;

	private final Map<String, String> encoded = new ConcurrentHashMap<>();

	public VideoController(MutexOperations mutex, Executor applicationTaskExecutor,
			@Value("${sample.work}") Duration work) {
		this.mutex = mutex;
		this.executor = applicationTaskExecutor;
		this.work = work;
	}

	@PostMapping("/videos/{id}/encode")
	public ResponseEntity<Map<String, String>> encode(@PathVariable String id) {
		// Throws MutexLockException (409) at once if the video is being encoded.
		this.mutex.withLockAsync("video:" + id, this.executor, () -> {
			LockSupport.parkNanos(this.work.toNanos());
			return this.encoded.put(id, "encoded video " + id);
		});
		return ResponseEntity.accepted()
			.location(URI.create("/videos/" + id))
			.body(Map.of("video", id, "status", "/videos/" + id));
	}

	@GetMapping("/videos/{id}")
	public Map<String, String> status(@PathVariable String id) {
		return this.mutex.holder("video:" + id)
			.map((holder) -> Map.of("video", id, "state", "encoding", "encoder", String.valueOf(holder.thread())))
			.orElseGet(() -> Map.of("video", id, "state", this.encoded.containsKey(id) ? "encoded" : "not encoded"));
	}

}
