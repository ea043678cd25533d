package dev.automutex;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

/**
 * The registry of the keys held through one {@link MutexTemplate}: each key maps to its
 * current {@link HeldKey} record, which exists from the outermost acquisition to the last
 * release.
 * <p>
 * A record is added only after the store granted the key, and removed only by the record
 * itself (compared by identity), so a holder that releases late can never remove its
 * successor's record. A record still present when the store grants the key again is stale
 * (its holder died, or lost the key and has not released yet): the new record replaces it
 * and the replaced one is handed to {@code onReplaced}.
 * <p>
 * Each key has a slot that outlives its holds, so that taking and releasing a key costs a
 * map look-up and two compare-and-sets rather than an insertion and a removal. Empty
 * slots are retired and removed once the map holds more than twice as many slots as after
 * its last clean-up (and at least {@value #MIN_CLEANUP_THRESHOLD}): memory follows the
 * keys held, not every key ever held. A thread that finds a retired slot looks the key up
 * again.
 */
final class HeldKeys {

	static final int MIN_CLEANUP_THRESHOLD = 1024;

	private static final Object RETIRED = new Object();

	private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

	private final ReentrantLock cleaning = new ReentrantLock();

	private volatile int cleanupThreshold = MIN_CLEANUP_THRESHOLD;

	/**
	 * The record of a key, whatever its state (an {@link HeldKey#isEnded() ended} one
	 * counts as none), or {@code null} if none is registered.
	 * @param key the key text
	 * @return the key's record, or {@code null}
	 */
	@Nullable HeldKey get(String key) {
		Slot slot = this.slots.get(key);
		return (slot != null) ? slot.record() : null;
	}

	void add(HeldKey record, Consumer<HeldKey> onReplaced) {
		while (true) {
			Slot slot = this.slots.get(record.key);
			if (slot == null) {
				if (this.slots.putIfAbsent(record.key, new Slot(record)) == null) {
					afterInsert();
					return;
				}
				continue;
			}
			Object current = slot.get();
			if (current == RETIRED) {
				this.slots.remove(record.key, slot);
				continue;
			}
			if (slot.compareAndSet(current, record)) {
				if (current instanceof HeldKey previous && !previous.isEnded()) {
					onReplaced.accept(previous);
				}
				return;
			}
		}
	}

	/**
	 * Take an ended record out of its slot at once. Not needed after a release: an ended
	 * record counts as no record, and stays in its slot until the key is held again or
	 * the slot is cleaned up, which saves a compare-and-set on every release.
	 * @param record the ended record
	 */
	void remove(HeldKey record) {
		Slot slot = this.slots.get(record.key);
		if (slot != null) {
			slot.compareAndSet(record, null);
		}
	}

	/**
	 * Hand every record whose holder thread has ended to {@code abandoned}.
	 * @param abandoned receives the records of dead holder threads
	 */
	void forEachOfDeadThreads(Consumer<HeldKey> abandoned) {
		for (Slot slot : this.slots.values()) {
			HeldKey record = slot.record();
			if (record != null && !record.holder.isAlive()) {
				abandoned.accept(record);
			}
		}
		removeEmpty();
	}

	/**
	 * Hand every record that is held now (not ended) to {@code action}.
	 * @param action receives the records
	 */
	void forEachHeld(Consumer<HeldKey> action) {
		for (Slot slot : this.slots.values()) {
			HeldKey record = slot.record();
			if (record != null && !record.isEnded()) {
				action.accept(record);
			}
		}
	}

	/**
	 * How many of the registered records match (ended ones included; the filter decides).
	 * @param filter what to count
	 * @return the number of matching records
	 */
	int count(Predicate<HeldKey> filter) {
		int count = 0;
		for (Slot slot : this.slots.values()) {
			HeldKey record = slot.record();
			if (record != null && filter.test(record)) {
				count++;
			}
		}
		return count;
	}

	private void afterInsert() {
		if (this.slots.size() > this.cleanupThreshold && this.cleaning.tryLock()) {
			try {
				removeEmpty();
				this.cleanupThreshold = Math.max(MIN_CLEANUP_THRESHOLD, this.slots.size() * 2);
			}
			finally {
				this.cleaning.unlock();
			}
		}
	}

	private void removeEmpty() {
		this.slots.forEach((key, slot) -> {
			Object current = slot.get();
			boolean empty = current == null || (current instanceof HeldKey record && record.isEnded());
			if (empty && slot.compareAndSet(current, RETIRED)) {
				this.slots.remove(key, slot);
			}
		});
	}

	/**
	 * The current record of one key: {@code null}, a {@link HeldKey}, or
	 * {@link #RETIRED}.
	 */
	@SuppressWarnings("serial")
	private static final class Slot extends AtomicReference<@Nullable Object> {

		Slot(HeldKey record) {
			super(record);
		}

		@Nullable HeldKey record() {
			Object value = get();
			return (value instanceof HeldKey record) ? record : null;
		}

	}

}
