package dev.automutex;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The registry of the keys held through one {@link MutexTemplate}: each key maps to its current
 * {@link HeldKey} record, which exists from the outermost acquisition to the last release.
 * <p>
 * A record is added only after the store granted the key, and removed only by the record itself (compared by
 * identity), so a holder that releases late can never remove its successor's record. A record still present
 * when the store grants the key again is stale (its holder died, or lost the key and has not released yet): the
 * new record replaces it and the replaced one is handed to {@code onReplaced}.
 */
final class HeldKeys {

	private final ConcurrentHashMap<String, HeldKey> byKey = new ConcurrentHashMap<>();

	/**
	 * The record of a key, whatever its state.
	 */
	@Nullable HeldKey get(String key) {
		return this.byKey.get(key);
	}

	void add(HeldKey record, Consumer<HeldKey> onReplaced) {
		HeldKey previous = this.byKey.put(record.key, record);
		if (previous != null && previous != record) {
			onReplaced.accept(previous);
		}
	}

	void remove(HeldKey record) {
		this.byKey.remove(record.key, record);
	}

	/**
	 * Hand every record whose holder thread has ended to {@code abandoned}.
	 */
	void forEachOfDeadThreads(Consumer<HeldKey> abandoned) {
		for (HeldKey record : this.byKey.values()) {
			if (!record.holder.isAlive()) {
				abandoned.accept(record);
			}
		}
	}

	int size() {
		return this.byKey.size();
	}

}
