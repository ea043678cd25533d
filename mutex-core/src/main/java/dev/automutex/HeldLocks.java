package dev.automutex;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

/**
 * The locks held through one {@link MutexTemplate}: per thread, newest last, so that
 * {@link MutexTemplate#releaseAll()} can release them (Elixir Mutex's {@code goodbye}); and per key, with the
 * holding thread and since when, for {@link MutexTemplate#holder(Object)}. Per-key entries exist only while the
 * key is held; a thread keeps one small empty deque once it has locked anything (reused, not reallocated, on
 * every acquisition).
 */
final class HeldLocks {

	private final ThreadLocal<ArrayDeque<DefaultMutexLock>> byThread = new ThreadLocal<>();

	private final Map<String, Hold> byKey = new ConcurrentHashMap<>();

	private final BiConsumer<String, DefaultMutexLock> firstHold;

	private final BiConsumer<String, Thread> lastRelease;

	/**
	 * @param firstHold told when a key becomes held through the template (not for re-entrant holds)
	 * @param lastRelease told when its last hold is released, with the thread that held it
	 */
	HeldLocks(BiConsumer<String, DefaultMutexLock> firstHold, BiConsumer<String, Thread> lastRelease) {
		this.firstHold = firstHold;
		this.lastRelease = lastRelease;
	}

	void track(DefaultMutexLock lock) {
		ArrayDeque<DefaultMutexLock> locks = this.byThread.get();
		if (locks == null) {
			locks = new ArrayDeque<>();
			this.byThread.set(locks);
		}
		locks.addLast(lock);
		for (String key : lock.keys()) {
			boolean[] first = new boolean[1];
			this.byKey.compute(key, (k, hold) -> {
				if (hold != null && hold.thread() == lock.owner()) {
					return hold.again();
				}
				first[0] = true;
				return new Hold(lock.owner(), Instant.now(), 1);
			});
			if (first[0]) {
				this.firstHold.accept(key, lock);
			}
		}
	}

	/**
	 * The hold of a key through this template, if its thread is still alive.
	 */
	@Nullable Hold hold(String key) {
		Hold hold = this.byKey.get(key);
		return (hold != null && hold.thread().isAlive()) ? hold : null;
	}

	/**
	 * Forget the holds of threads that ended without releasing them.
	 * @return how many keys were forgotten
	 */
	int forgetDeadThreads() {
		int forgotten = 0;
		for (Map.Entry<String, Hold> entry : this.byKey.entrySet()) {
			if (!entry.getValue().thread().isAlive() && this.byKey.remove(entry.getKey(), entry.getValue())) {
				this.lastRelease.accept(entry.getKey(), entry.getValue().thread());
				forgotten++;
			}
		}
		return forgotten;
	}

	/** Called on the owner thread when a lock is released, whichever way. */
	void untrack(DefaultMutexLock lock) {
		ArrayDeque<DefaultMutexLock> locks = this.byThread.get();
		if (locks == null) {
			return;
		}
		locks.removeLastOccurrence(lock);
		for (String key : lock.keys()) {
			boolean[] last = new boolean[1];
			this.byKey.computeIfPresent(key, (k, hold) -> {
				if (hold.thread() != lock.owner()) {
					return hold;
				}
				if (hold.count() > 1) {
					return hold.released();
				}
				last[0] = true;
				return null;
			});
			if (last[0]) {
				this.lastRelease.accept(key, lock.owner());
			}
		}
	}

	/**
	 * One key's holder in this template: its thread, since when, and how many re-entrant holds it has.
	 */
	record Hold(Thread thread, Instant since, int count) {

		Hold again() {
			return new Hold(this.thread, this.since, this.count + 1);
		}

		Hold released() {
			return new Hold(this.thread, this.since, this.count - 1);
		}

	}

	/**
	 * Release every lock the calling thread holds, newest first.
	 * @return how many locks were released
	 */
	int releaseAll() {
		ArrayDeque<DefaultMutexLock> locks = this.byThread.get();
		if (locks == null) {
			return 0;
		}
		List<DefaultMutexLock> newestFirst = new ArrayList<>(locks);
		java.util.Collections.reverse(newestFirst);
		int released = 0;
		for (DefaultMutexLock lock : newestFirst) {
			if (lock.release()) {
				released++;
			}
		}
		return released;
	}

}
