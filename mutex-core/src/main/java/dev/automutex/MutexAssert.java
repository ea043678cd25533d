package dev.automutex;

import java.util.ArrayList;
import java.util.List;

/**
 * Assertions that code runs under its lock. A method that must only run while its key is
 * held says so in its first line, and a test that calls it without the lock fails:
 *
 * <pre class="code">
 * public void debit(Account account, long cents) {
 *     MutexAssert.assertHeld("account:" + account.id());
 *     ...
 * }
 * </pre>
 *
 * The check is local and costs no round trip: it looks at the locks the calling thread
 * holds through any {@link MutexTemplate} (and so through {@code @AutoMutex}), converting
 * the key as each lock's template does. A key whose loss the template has learnt of (its
 * lease expired or was taken over) counts as not held.
 *
 * @since 0.1.0
 */
public final class MutexAssert {

	private MutexAssert() {
	}

	/**
	 * Assert that the calling thread holds a key.
	 * @param key the key object, converted as the template that took it converts keys
	 * @throws IllegalStateException naming the key and the thread when the thread does
	 * not hold the key, or holds it and its loss is known
	 * @throws IllegalArgumentException if the key is {@code null}
	 */
	public static void assertHeld(Object key) {
		if (key == null) {
			throw new IllegalArgumentException("MutexAssert.assertHeld: the key must not be null");
		}
		List<DefaultMutexLock> locks = ThreadLocks.current();
		String text = null;
		for (DefaultMutexLock lock : locks) {
			text = lock.acquirer().keyText(key);
			HeldKey record = lock.record(text);
			if (record != null) {
				if (record.wasLost()) {
					throw new IllegalStateException("Mutex '" + text + "' was lost by thread '" + threadName()
							+ "' (it expired or was taken over): the code that requires it runs unguarded");
				}
				return;
			}
		}
		if (text == null) {
			text = (key instanceof MutexKey mutexKey) ? mutexKey.text() : key.toString();
		}
		throw new IllegalStateException("Mutex '" + text + "' is not held by thread '" + threadName() + "' ("
				+ held(locks) + "). Run this code under that key: @AutoMutex on a public method called from "
				+ "another bean (a call from inside the same class skips the proxy), or MutexTemplate.withLock");
	}

	/**
	 * Assert that the calling thread holds at least one key (ShedLock's
	 * {@code LockAssert.assertLocked()}): for code whose key is computed elsewhere, such
	 * as an {@code @AutoMutex} method's.
	 * @throws IllegalStateException naming the thread when it holds no key
	 */
	public static void assertHeld() {
		if (ThreadLocks.current().isEmpty()) {
			throw new IllegalStateException("Thread '" + threadName() + "' holds no mutex. Run this code under "
					+ "its key: @AutoMutex on a public method called from another bean (a call from inside the same "
					+ "class skips the proxy), or MutexTemplate.withLock");
		}
	}

	private static String held(List<DefaultMutexLock> locks) {
		if (locks.isEmpty()) {
			return "it holds no mutex";
		}
		List<String> keys = new ArrayList<>();
		for (DefaultMutexLock lock : locks) {
			keys.addAll(lock.keys());
		}
		return "it holds " + keys;
	}

	private static String threadName() {
		return Thread.currentThread().getName();
	}

}
