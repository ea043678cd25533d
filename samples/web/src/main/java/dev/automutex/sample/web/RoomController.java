package dev.automutex.sample.web;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.MutexOperations;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * redis-mutex's {@code RoomController}: one request in a room at a time
 * ({@code RedisMutex.with_lock(@room)}). A second request while the room is occupied is
 * refused at once: the starter answers the {@code MutexLockException} with 409 Conflict
 * and a problem detail.
 */
@RestController
public class RoomController {

	private final MutexOperations mutex;

	private final Duration work;

	public RoomController(MutexOperations mutex, @Value("${sample.work}") Duration work) {
		this.mutex = mutex;
		this.work = work;
	}

	@PostMapping("/rooms/{id}/enter")
	public String enter(@PathVariable long id) {
		return this.mutex.withLock("Room:" + id, Duration.ZERO, () -> {
			LockSupport.parkNanos(this.work.toNanos()); // someone is in the room
			return "left room " + id + "\n";
		});
	}

}
