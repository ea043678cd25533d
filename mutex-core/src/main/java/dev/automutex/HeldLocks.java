package dev.automutex;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The locks each thread holds through one {@link MutexTemplate}, newest last, so that
 * {@link MutexTemplate#releaseAll()} can release them (Elixir Mutex's {@code goodbye}). A thread's entry exists
 * only while it holds something, so pooled threads keep nothing between tasks.
 */
final class HeldLocks {

	private final ThreadLocal<ArrayDeque<DefaultMutexLock>> byThread = new ThreadLocal<>();

	void track(DefaultMutexLock lock) {
		ArrayDeque<DefaultMutexLock> locks = this.byThread.get();
		if (locks == null) {
			locks = new ArrayDeque<>();
			this.byThread.set(locks);
		}
		locks.addLast(lock);
	}

	/** Called on the owner thread when a lock is released, whichever way. */
	void untrack(DefaultMutexLock lock) {
		ArrayDeque<DefaultMutexLock> locks = this.byThread.get();
		if (locks == null) {
			return;
		}
		locks.removeLastOccurrence(lock);
		if (locks.isEmpty()) {
			this.byThread.remove();
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
		this.byThread.remove();
		return released;
	}

}
