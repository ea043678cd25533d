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
	 * Remove a lock from its owner thread's list, on that thread.
	 * @param held the owner thread's list, as returned by {@link #current()}
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
	 * The calling thread's list of held locks, oldest first: a lock adds itself when it
	 * is created, on its owner thread, and removes itself with
	 * {@link #remove(List, DefaultMutexLock)}.
	 * @return the live list of the calling thread
	 */
	static List<DefaultMutexLock> current() {
		return locks.get();
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
