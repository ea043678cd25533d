package dev.automutex.sample;

import dev.automutex.MutexOperations;

import org.springframework.stereotype.Service;

/**
 * {@link MutexOperations} used directly: {@code RedisMutex.with_lock(@room)} in Java. A {@code Room} with id 123
 * is the key {@code Room:123}.
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

	public record Room(long id) {
	}

}
