package dev.automutex.sample;

import java.time.Duration;

import dev.automutex.MutexOperations;
import dev.automutex.MutexRequest;

import org.springframework.stereotype.Service;

/**
 * {@link MutexOperations} used directly: {@code RedisMutex.with_lock(@room)} in Java. A
 * {@code Room} with id 123 is the key {@code Room:123}.
 */
@Service
public class Rooms {

	private final MutexOperations mutex;

	public Rooms(MutexOperations mutex) {
		this.mutex = mutex;
	}

	public String enter(Room room, String guest) {
		return this.mutex.withLock(room, () -> guest + " entered room " + room.id());
	}

	/**
	 * Every setting in one request: wait up to 2 seconds, and on a store with leases keep
	 * the key for 5 minutes if this instance dies while cleaning.
	 */
	public String clean(Room room) {
		MutexRequest request = MutexRequest.of(room).block(Duration.ofSeconds(2)).expire(Duration.ofMinutes(5));
		return this.mutex.withLock(request, () -> "cleaned room " + room.id());
	}

	public record Room(long id) {
	}

}
