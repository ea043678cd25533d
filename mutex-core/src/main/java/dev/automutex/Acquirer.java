package dev.automutex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import dev.automutex.store.ExpiringMutexStore;
import dev.automutex.store.MutexStore;
import dev.automutex.store.RenewableMutexStore;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes and releases keys for a {@link MutexTemplate}: the only place that calls the
 * store to acquire or release. Several keys are taken in sorted order within one
 * deadline, all or none. A key the calling thread holds already is a nested hold: its
 * record's count goes up and the store is not asked (a nested acquire must neither
 * shorten the lease nor take a lost key back); only the outermost hold acquires, renews
 * and releases.
 */
final class Acquirer {

	private static final Logger logger = LoggerFactory.getLogger(Acquirer.class);

	private final MutexStore store;

	/** The store, if it has leases: looked up once, not on every acquisition. */
	private final @Nullable ExpiringMutexStore expiring;

	private final HeldKeys holds;

	private final LossReporter losses;

	private final @Nullable LeaseRenewal renewal;

	private final Consumer<HeldKey> replaced = this::replaced;

	private final Function<Object, String> keyText;

	private final MutexObservations observations = new MutexObservations();

	private final HeldKeyChecks checks;

	private final MinimumHolds minimumHolds;

	Acquirer(MutexStore store, HeldKeys holds, LossReporter losses, Function<Object, String> keyText) {
		this.store = store;
		this.keyText = keyText;
		this.checks = new HeldKeyChecks(store, losses);
		this.expiring = (store instanceof ExpiringMutexStore leases) ? leases : null;
		this.holds = holds;
		this.losses = losses;
		this.renewal = (store instanceof RenewableMutexStore renewable)
				? new LeaseRenewal(renewable, losses, this::abandon) : null;
		this.minimumHolds = new MinimumHolds(store);
	}

	/**
	 * The text of a key object, as the template of this acquirer converts it.
	 * @param key the key object
	 * @return its text
	 */
	String keyText(Object key) {
		return this.keyText.apply(key);
	}

	HeldKeyChecks checks() {
		return this.checks;
	}

	MutexObservations observations() {
		return this.observations;
	}

	@Nullable LeaseRenewal renewal() {
		return this.renewal;
	}

	MinimumHolds minimumHolds() {
		return this.minimumHolds;
	}

	/**
	 * Take keys for the calling thread, in sorted order within one deadline: all of them
	 * or none.
	 * @param keys the key texts in the caller's order, without duplicates
	 * @param block how long to wait for busy keys, all of them together
	 * @param expire the time-to-live, or {@code null} for the store's default
	 * @param renew whether the keys' leases are renewed while held, on a store that
	 * renews
	 * @param failIfBusy whether a busy key throws {@link MutexLockException} (else:
	 * return {@code null})
	 * @return the lock on all the keys, or {@code null} if a key stayed busy and
	 * {@code failIfBusy} is off
	 */
	@Nullable DefaultMutexLock acquire(List<String> keys, Duration block, @Nullable Duration expire, boolean renew,
			boolean failIfBusy) {
		List<String> order = keys;
		if (keys.size() > 1) {
			order = new ArrayList<>(keys);
			order.sort(null);
		}
		Thread me = Thread.currentThread();
		// block bounds the time spent waiting for busy keys, all of them together. Each
		// key is asked for once, with the time left: a store tries at once before it
		// waits, and a second call would cost a shared store a second round trip.
		long waitStart = block.isZero() ? 0 : (System.nanoTime() | 1);
		List<DefaultMutexLock> threadLocks = ThreadLocks.current();
		HeldKey[] records = new HeldKey[order.size()];
		int taken = 0;
		try {
			for (int i = 0; i < order.size(); i++) {
				String key = order.get(i);
				// Only a thread that holds locks can hold this key already: most hold
				// none, and skip the look-up.
				HeldKey record = threadLocks.isEmpty() ? null : this.holds.get(key);
				if (record != null && record.isHeldBy(me)) {
					if (record.isLost()) {
						throw new MutexLostException(List.of(key), "Mutex '" + key + "' was lost by this thread's "
								+ "outer hold (it expired or was taken over); a nested hold does not take it back. "
								+ "Release the outer hold and lock again.");
					}
					record.enter();
				}
				else {
					Duration wait = Duration.ZERO;
					if (waitStart != 0) {
						long remaining = Durations.nanos(block) - (System.nanoTime() - waitStart);
						wait = (remaining > 0) ? Duration.ofNanos(remaining) : Duration.ZERO;
					}
					record = acquireInStore(key, me, wait, expire, renew);
					if (record == null) {
						undo(records, taken);
						taken = 0;
						if (!failIfBusy) {
							return null;
						}
						throw MutexLockException.busy(keys, key, block, waited(waitStart));
					}
				}
				records[taken++] = record;
			}
		}
		catch (InterruptedException ex) {
			undo(records, taken);
			Thread.currentThread().interrupt();
			Duration waited = waited(waitStart);
			throw new MutexLockException(keys, waited, "Interrupted while waiting for " + describe(keys) + " after "
					+ waited.toMillis() + " ms (block " + Durations.text(block) + ")", ex);
		}
		catch (MutexException | IllegalArgumentException ex) {
			undo(records, taken);
			throw ex;
		}
		catch (RuntimeException ex) {
			undo(records, taken);
			throw new MutexException("Could not acquire " + describe(keys) + ": the store failed (" + ex.getMessage()
					+ "); no key is held", ex);
		}
		return new DefaultMutexLock(this, keys, records, me, threadLocks);
	}

	private static Duration waited(long waitStart) {
		return (waitStart == 0) ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - waitStart);
	}

	private @Nullable HeldKey acquireInStore(String key, Thread me, Duration wait, @Nullable Duration expire,
			boolean renew) throws InterruptedException {
		MutexStore.Held held;
		Duration ttl = null;
		long leaseStart = 0;
		ExpiringMutexStore expiring = this.expiring;
		Observation acquiring = this.observations.acquiring(key);
		try {
			if (expiring != null) {
				// A lease as long as for ever is a very long one, not an overflow in the
				// store.
				ttl = Durations.lease((expire != null) ? expire : expiring.defaultExpire());
				leaseStart = System.nanoTime();
				RenewableMutexStore renewable = (renew && this.renewal != null) ? (RenewableMutexStore) expiring : null;
				held = (renewable != null) ? renewable.tryAcquireRenewed(key, wait, ttl)
						: expiring.tryAcquire(key, wait, ttl);
				// Without waiting, the store set the time-to-live after the request
				// went out: counting from before it is safe. After a wait, the grant
				// came at the end of it: count from its return (late by at most the
				// last round trip, which the next renewal makes up for), unless the
				// store tells of an earlier start (a lease passed on from another
				// thread).
				if (held != null && !wait.isZero()) {
					leaseStart = System.nanoTime();
				}
				if (held != null && renewable != null) {
					leaseStart = renewable.leaseStart(held, leaseStart);
				}
			}
			else {
				held = this.store.tryAcquire(key, wait);
			}
		}
		catch (InterruptedException | RuntimeException ex) {
			MutexObservations.stop(acquiring, "error", ex);
			throw ex;
		}
		MutexObservations.stop(acquiring, (held != null) ? "acquired" : "busy", null);
		if (held == null) {
			return null;
		}
		HeldKey record = new HeldKey(key, me, held, ttl, renew, leaseStart);
		record.observe(this.observations.holding(key));
		try {
			this.holds.add(record, this.replaced);
			if (renew && this.renewal != null) {
				this.renewal.start(record);
			}
		}
		catch (RuntimeException ex) {
			// The template was destroyed meanwhile: give the key back, or it stays held
			// with nobody to release it.
			record.end();
			this.holds.remove(record);
			MutexObservations.stop(record.takeObservation(), "error", ex);
			releaseQuietly(record);
			throw ex;
		}
		return record;
	}

	private static void releaseQuietly(HeldKey record) {
		try {
			record.held.release();
		}
		catch (RuntimeException ex) {
			logger.warn("Mutex '{}' could not be released in the store ({}); it stays taken there until its lease "
					+ "ends, if the store has leases", record.key, ex.toString());
		}
	}

	/**
	 * The store granted a key whose previous record is still registered: that holder
	 * died, or lost the key and has not released it yet.
	 * @param previous the record still registered for the key
	 */
	private void replaced(HeldKey previous) {
		if (!previous.holder.isAlive()) {
			previous.end();
			MutexObservations.stop(previous.takeObservation(), "lost", null);
		}
		else {
			this.losses.lost(previous, "another thread of this instance was granted it by the store");
		}
	}

	private void undo(HeldKey[] records, int taken) {
		for (int i = taken - 1; i >= 0; i--) {
			release(records[i], null);
		}
	}

	/**
	 * Release one hold of a record, on its holder thread. The last hold ends the record
	 * before the store releases the key, so that a renewal running meanwhile finds the
	 * record ended and reports no loss.
	 * @param record the record to release one hold of
	 * @param lock the lock being released, whose callbacks on the record are removed, or
	 * {@code null} when undoing a partial acquisition
	 * @return {@code true} if released and the key was not lost
	 */
	boolean release(HeldKey record, @Nullable DefaultMutexLock lock) {
		if (lock != null) {
			record.removeCallbacks(lock);
		}
		if (!record.exit()) {
			return !record.wasLost();
		}
		int previous = record.end(); // an ended record counts as released: it stays in
										// its slot until reused
		if (previous == HeldKey.ENDED) {
			return false;
		}
		if (this.renewal != null && record.renewal() != null) {
			// A renewal already on its way must land before the key is released:
			// landing after, it could set the time-to-live of the next holder's key
			// (Redis registries own keys per instance, not per hold).
			this.renewal.awaitIdle(record);
		}
		boolean released;
		try {
			long minimumHoldLeft = record.hasMinimumHold() ? record.minimumHoldLeft(System.nanoTime()) : 0;
			released = (minimumHoldLeft > 0) ? this.minimumHolds.release(record, minimumHoldLeft)
					: record.held.release();
		}
		catch (RuntimeException ex) {
			// The store could not be reached: that says nothing about whether the key
			// was lost.
			logger.warn("Mutex '{}' could not be released in the store ({}); it stays taken there until its lease "
					+ "ends, if the store has leases", record.key, ex.toString());
			MutexObservations.stop(record.takeObservation(), "error", ex);
			return false;
		}
		boolean clean = released && previous == HeldKey.HELD;
		MutexObservations.stop(record.takeObservation(), clean ? "released" : "lost", null);
		if (!released && previous == HeldKey.HELD) {
			record.lostAtRelease();
			this.losses.report(record,
					"the store no longer held it when it was released (it expired or was taken over)");
		}
		return clean;
	}

	/**
	 * End the record of a holder thread that died without releasing: its key frees itself
	 * in the store (after its lease, or when the next thread asks, on the local store).
	 * @param record the record of the dead holder
	 */
	void abandon(HeldKey record) {
		if (record.end() != HeldKey.ENDED) {
			MutexObservations.stop(record.takeObservation(), "lost", null);
			this.holds.remove(record);
		}
	}

	static String describe(List<String> keys) {
		return (keys.size() == 1) ? "mutex '" + keys.get(0) + "'" : "mutexes " + keys;
	}

}
