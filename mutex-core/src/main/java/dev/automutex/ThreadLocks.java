package dev.automutex;

import java.util.ArrayList;
import java.util.List;

/**
 * The locks each thread holds now through any {@link MutexTemplate}, oldest first: the
 * one per-thread record that {@link MutexTemplate#releaseAll()} and the transaction guard
 * share. A lock is added when it is acquired and removed when it is released, on its
 * owner thread.
 */
final class ThreadLocks {

	private static final ThreadLocal<ArrayList<DefaultMutexLock>> locks = ThreadLocal
		.withInitial(() -> new ArrayList<>(4));

	private ThreadLocks() {
	}

	/**
	 * Add a lock of the calling thread.
	 * @param lock the lock the calling thread acquired
	 * @return the thread's list, for {@link #remove(List, DefaultMutexLock)}
	 */
	static List<DefaultMutexLock> add(DefaultMutexLock lock) {
		ArrayList<DefaultMutexLock> held = locks.get();
		held.add(lock);
		return held;
	}

	/**
	 * Remove a lock from its owner thread's list, on that thread.
	 * @param held the owner thread's list, as returned by {@link #add(DefaultMutexLock)}
	 * @param lock the lock to remove
	 */
	static void remove(List<DefaultMutexLock> held, DefaultMutexLock lock) {
		for (int i = held.size() - 1; i >= 0; i--) {
			if (held.get(i) == lock) {
				held.remove(i);
				return;
			}
		}
	}

	/**
	 * Whether the calling thread holds any lock through any template.
	 * @return {@code true} if the calling thread holds a lock
	 */
	static boolean holdsAny() {
		return !locks.get().isEmpty();
	}

	static List<MutexLock> ofCurrentThread() {
		return List.copyOf(locks.get());
	}

	/**
	 * Release, newest first, the calling thread's locks acquired through one template.
	 * @param acquirer the acquirer of that template
	 */
	static void releaseAll(Acquirer acquirer) {
		ArrayList<DefaultMutexLock> held = locks.get();
		for (int i = held.size() - 1; i >= 0; i--) {
			if (i < held.size() && held.get(i).acquirer() == acquirer) {
				held.get(i).release();
			}
		}
	}

}
