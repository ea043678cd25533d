package dev.automutex;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.automutex.store.AwaitableMutexStore;
import dev.automutex.store.ExpiringMutexStore;
import dev.automutex.store.ForceReleasableMutexStore;
import dev.automutex.store.ListableMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.StoredHold;
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

	private final LossReporter losses;

	MutexInspector(MutexStore store, HeldKeys holds, Acquirer acquirer, LossReporter losses) {
		this.store = store;
		this.holds = holds;
		this.acquirer = acquirer;
		this.losses = losses;
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
	 * Free a key in the store whoever holds it; a holder here is told at once that it
	 * lost it (the store first: if it cannot be reached, nobody is told of a loss that
	 * did not happen).
	 * @param key the key text
	 * @return whether the key was held
	 */
	boolean forceRelease(String key) {
		if (!(this.store instanceof ForceReleasableMutexStore forcible)) {
			throw new UnsupportedOperationException("The store " + this.store + " cannot force-release a key: it does "
					+ "not implement ForceReleasableMutexStore. The local store and both Redis engines can; with "
					+ "another store, end the holder's work or wait for its lease to end.");
		}
		boolean wasHeld = forcible.forceRelease(key);
		HeldKey mine = this.holds.get(key);
		// A hold here whose loss was known already (forced before) does not count.
		boolean toldHere = mine != null
				&& this.losses.lost(mine, "it was force-released (forceRelease, or DELETE /actuator/mutex/{key})");
		return wasHeld || toldHere;
	}

	/**
	 * The keys held in the store by any instance, up to a limit, sorted by key: from the
	 * store where it can list them, with the thread and since when for those held here;
	 * else the keys held through this template.
	 * @param limit how many at most
	 * @return one entry per held key
	 */
	List<MutexHolder> holders(int limit) {
		List<MutexHolder> holders = new ArrayList<>();
		if (this.store instanceof ListableMutexStore listable) {
			for (StoredHold stored : listable.heldKeys(limit)) {
				HeldKey mine = stored.thisInstance() ? heldHere(stored.key()) : null;
				holders.add((mine != null)
						? new MutexHolder(stored.key(), true, mine.holder.getName(),
								Instant.ofEpochMilli(mine.sinceMillis), stored.leaseLeft())
						: new MutexHolder(stored.key(), stored.thisInstance(), null, null, stored.leaseLeft()));
			}
		}
		else {
			long now = System.nanoTime();
			this.holds.forEachHeld((record) -> holders.add(new MutexHolder(record.key, true, record.holder.getName(),
					Instant.ofEpochMilli(record.sinceMillis), record.leaseLeft(now))));
		}
		holders.sort(Comparator.comparing(MutexHolder::key));
		return (holders.size() > limit) ? List.copyOf(holders.subList(0, limit)) : holders;
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
