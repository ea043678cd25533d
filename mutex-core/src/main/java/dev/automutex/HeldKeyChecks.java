package dev.automutex;

import java.util.List;

import dev.automutex.store.FencingMutexStore;
import dev.automutex.store.MutexStore;
import org.jspecify.annotations.Nullable;

/**
 * What the store is asked about a key held here: whether it still holds it, and its
 * fencing token (issued once for the outermost hold and shared by nested holds). A use
 * ({@link MutexLock#isHeld()}, {@link MutexLock#fencingToken()}) reports a key found
 * lost; a look (the held-keys list) reports nothing. Thread-safe.
 */
final class HeldKeyChecks {

	private final MutexStore store;

	private final LossReporter losses;

	HeldKeyChecks(MutexStore store, LossReporter losses) {
		this.store = store;
		this.losses = losses;
	}

	/**
	 * Ask the store whether a record's key is still held, and report it lost if not.
	 * @param record the record to check
	 * @return whether the store still holds the key ({@code false} also when the store
	 * cannot tell)
	 */
	boolean isHeld(HeldKey record) {
		if (record.isLost() || record.isEnded()) {
			return false;
		}
		boolean held;
		try {
			held = record.held.isHeld();
		}
		catch (RuntimeException ex) {
			return false; // the store cannot tell now: not known to be held, not known to
							// be lost
		}
		if (!held) {
			this.losses.lost(record, "the store no longer holds it for this holder (it expired or was taken over)");
		}
		return held;
	}

	/**
	 * The record's fencing token, asked of the store the first time.
	 * @param record the record of the held key
	 * @return the fencing token
	 * @throws MutexLostException if the key is known lost or the store refuses a token
	 * (then reported lost)
	 */
	long fencingToken(HeldKey record) {
		if (!(this.store instanceof FencingMutexStore fencing)) {
			throw new UnsupportedOperationException(this.store + " issues no fencing tokens");
		}
		// Not the record's own monitor: a hung store call here must not block a loss
		// report, which takes it.
		synchronized (record.held) {
			if (record.token() == 0 && record.isLost()) {
				throw lostException(record);
			}
			try {
				return issue(fencing, record);
			}
			catch (IllegalStateException ex) {
				this.losses.lost(record, "the store refused a fencing token: it no longer holds the key");
				throw lostException(record);
			}
		}
	}

	/**
	 * The record's fencing token for a look: asked of the store once, like
	 * {@link #fencingToken}, but a refusal reports nothing.
	 * @param record the record of the held key
	 * @return the token, or {@code null} if the store issues none or refused it
	 */
	@Nullable Long knownToken(HeldKey record) {
		if (!(this.store instanceof FencingMutexStore fencing) || record.isLost()) {
			return null;
		}
		synchronized (record.held) {
			if (record.token() == 0 && record.isEnded()) {
				return null;
			}
			try {
				return issue(fencing, record);
			}
			catch (RuntimeException ex) {
				return null;
			}
		}
	}

	// Called with the record's store hold as monitor.
	private static long issue(FencingMutexStore fencing, HeldKey record) {
		long token = record.token();
		if (token == 0) {
			token = fencing.fencingToken(record.held);
			record.token(token);
		}
		return token;
	}

	private static MutexLostException lostException(HeldKey record) {
		return new MutexLostException(List.of(record.key), "Mutex '" + record.key + "' is no longer held by this "
				+ "holder (it expired or was taken over), so it gets no fencing token");
	}

}
