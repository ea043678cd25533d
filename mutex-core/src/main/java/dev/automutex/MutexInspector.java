package dev.automutex;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.automutex.store.AwaitableMutexStore;
import dev.automutex.store.ExpiringMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.SweepableMutexStore;
import org.jspecify.annotations.Nullable;

/**
 * The inspection and maintenance side of a {@link MutexTemplate}: who holds a key,
 * whether it is held, waiting for its release, and sweeping. Answers first from the
 * template's own records (a key held here by a live thread and not known to be lost),
 * then from the store.
 */
final class MutexInspector {

	private final MutexStore store;

	private final HeldKeys holds;

	private final Acquirer acquirer;

	MutexInspector(MutexStore store, HeldKeys holds, Acquirer acquirer) {
		this.store = store;
		this.holds = holds;
		this.acquirer = acquirer;
	}

	boolean isLocked(String key) {
		return heldHere(key) != null || this.store.isLocked(key);
	}

	Optional<MutexHolder> holder(String key) {
		HeldKey mine = heldHere(key);
		if (mine == null && !this.store.isLocked(key)) {
			return Optional.empty();
		}
		Duration leaseLeft = (this.store instanceof ExpiringMutexStore expiring) ? expiring.leaseLeft(key) : null;
		if (mine != null) {
			return Optional.of(new MutexHolder(key, true, mine.holder.getName(), Instant.ofEpochMilli(mine.sinceMillis),
					leaseLeft));
		}
		return Optional.of(new MutexHolder(key, false, null, null, leaseLeft));
	}

	boolean awaitRelease(String key, Duration timeout) {
		try {
			if (this.store instanceof AwaitableMutexStore awaitable) {
				return awaitable.awaitRelease(key, timeout);
			}
			return ReleasePolling.await(this.store, key, timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new MutexException("Interrupted while waiting for mutex '" + key + "' to be released", ex);
		}
	}

	/**
	 * End the records of holder threads that died, then sweep the store.
	 * @return how many entries the store removed ({@code 0} if it cannot be swept)
	 */
	int sweep() {
		this.holds.forEachOfDeadThreads(this.acquirer::abandon);
		return (this.store instanceof SweepableMutexStore sweepable) ? sweepable.sweep() : 0;
	}

	/**
	 * The keys held through this template now, sorted by key, from its own records.
	 * @return one entry per held key
	 */
	List<MutexHold> heldKeys() {
		long now = System.nanoTime();
		List<MutexHold> held = new ArrayList<>();
		this.holds.forEachHeld((record) -> held
			.add(new MutexHold(record.key, record.holder.getName(), Instant.ofEpochMilli(record.sinceMillis),
					record.leaseLeft(now), this.acquirer.checks().knownToken(record), record.isLost())));
		held.sort(Comparator.comparing(MutexHold::key));
		return held;
	}

	private @Nullable HeldKey heldHere(String key) {
		HeldKey record = this.holds.get(key);
		boolean live = record != null && record.holder.isAlive() && !record.isEnded() && !record.isLost();
		return live ? record : null;
	}

}
