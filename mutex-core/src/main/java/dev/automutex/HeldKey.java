package dev.automutex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import dev.automutex.store.MutexStore;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The one record of one key held through a {@link MutexTemplate}: who holds it, how often
 * (re-entrant holds), since when, the store's acquisition, its lease and renewal, the
 * loss callbacks and the fencing token. Re-entrancy, renewal, loss and release all read
 * and write this record and nothing else; the template's {@link HeldKeys} registry maps
 * each key to its current record.
 * <p>
 * Its life: {@link #HELD}, possibly {@link #LOST} (the store no longer holds the key for
 * it), then {@link #ENDED} once released or abandoned. The transitions are
 * compare-and-set, so that a loss is reported at most once and never after a clean
 * release: a renewal that fails because the key was just released finds the record ended
 * and reports nothing.
 * <p>
 * The hold count is read and written only by the holder thread.
 */
final class HeldKey {

	static final int HELD = 0;

	static final int LOST = 1;

	static final int ENDED = 2;

	final String key;

	final Thread holder;

	final long sinceMillis;

	final MutexStore.Held held;

	/** The lease's time-to-live, or {@code null} for stores without leases. */
	final @Nullable Duration ttl;

	final boolean renew;

	/** The {@code mutex.held} observation of this hold, if anything observes. */
	private volatile @Nullable Observation observation;

	private static final VarHandle STATE;

	private static final VarHandle OBSERVATION;

	static {
		try {
			STATE = MethodHandles.lookup().findVarHandle(HeldKey.class, "state", int.class);
			OBSERVATION = MethodHandles.lookup().findVarHandle(HeldKey.class, "observation", Observation.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private volatile int state; // HELD, the default: no volatile store in the constructor

	private int count = 1;

	/**
	 * When the lease ends unless renewed, by {@link System#nanoTime()}; meaningful only
	 * with a ttl.
	 */
	private volatile long leaseDeadline;

	private volatile @Nullable ScheduledFuture<?> renewal;

	private volatile boolean renewing;

	private boolean renewalFailed; // renewal threads only, one at a time

	private volatile long token;

	/** Whether the key was ever found lost: stays true after the record ended. */
	private volatile boolean wasLost;

	private @Nullable List<LossCallback> callbacks; // guarded by this

	/**
	 * Whether callbacks were ever registered: most holds have none, and skip the monitor
	 * on release.
	 */
	private volatile boolean hasCallbacks;

	private boolean lossReported; // guarded by this

	/** Whether the key has a minimum hold (holdAtLeast); holder thread only. */
	private boolean minimumHold;

	/** The end of the minimum hold, by {@link System#nanoTime()}; holder thread only. */
	private long holdUntil;

	HeldKey(String key, Thread holder, MutexStore.Held held, @Nullable Duration ttl, boolean renew, long leaseStart) {
		this.key = key;
		this.holder = holder;
		this.sinceMillis = System.currentTimeMillis();
		this.held = held;
		this.ttl = ttl;
		this.renew = renew;
		if (ttl != null) {
			this.leaseDeadline = leaseStart + Durations.nanos(ttl);
		}
	}

	boolean isHeldBy(Thread thread) {
		return this.holder == thread && this.state != ENDED;
	}

	boolean isLost() {
		return this.state == LOST;
	}

	boolean isEnded() {
		return this.state == ENDED;
	}

	/**
	 * Keep the key held until at least {@code until} (holdAtLeast), or longer if an
	 * earlier hold asked so.
	 * @param until the end of the minimum hold, by {@link System#nanoTime()}
	 */
	void holdUntil(long until) {
		if (!this.minimumHold || until - this.holdUntil > 0) {
			this.holdUntil = until;
		}
		this.minimumHold = true;
	}

	boolean hasMinimumHold() {
		return this.minimumHold;
	}

	/**
	 * How long the key must stay held after {@code now}.
	 * @param now {@link System#nanoTime()}
	 * @return the time left of the minimum hold in nanoseconds, or {@code 0}
	 */
	long minimumHoldLeft(long now) {
		return this.minimumHold ? Math.max(0, this.holdUntil - now) : 0;
	}

	/** A nested hold by the holder thread. */
	void enter() {
		this.count++;
	}

	/**
	 * A hold released by the holder thread.
	 * @return whether it was the last one
	 */
	boolean exit() {
		return --this.count == 0;
	}

	/**
	 * The store no longer holds the key for this record.
	 * @return {@code true} if this call found it out first, and so must report it
	 */
	boolean markLost() {
		if (STATE.compareAndSet(this, HELD, LOST)) {
			this.wasLost = true;
			return true;
		}
		return false;
	}

	/**
	 * The store said at release that it no longer held the key.
	 */
	void lostAtRelease() {
		this.wasLost = true;
	}

	boolean wasLost() {
		return this.wasLost;
	}

	/**
	 * The record's hold is over: released, or abandoned by a dead holder thread.
	 * @return the state it ended from ({@link #HELD} or {@link #LOST}), or {@link #ENDED}
	 * if it had already ended
	 */
	int end() {
		ScheduledFuture<?> future = this.renewal;
		int previous = (int) STATE.getAndSet(this, ENDED);
		if (future != null) {
			future.cancel(false);
		}
		return previous;
	}

	void renewalStarted(ScheduledFuture<?> future) {
		this.renewal = future;
		// end() may have run before the future was set: then it could not cancel it.
		if (this.state == ENDED) {
			future.cancel(false);
		}
	}

	@Nullable ScheduledFuture<?> renewal() {
		return this.renewal;
	}

	/**
	 * Whether the key's lease is being renewed: a renewal task was started and has been
	 * neither cancelled (release, loss, dead holder, shutdown) nor stopped.
	 * @return {@code true} while the renewal task is live
	 */
	boolean isRenewed() {
		ScheduledFuture<?> future = this.renewal;
		return future != null && !future.isDone();
	}

	boolean startRenewing() {
		if (this.renewing) {
			return false;
		}
		this.renewing = true;
		return true;
	}

	void renewed(long sentAt) {
		this.leaseDeadline = sentAt + Durations.nanos(this.ttl);
	}

	void doneRenewing() {
		this.renewing = false;
	}

	boolean isRenewing() {
		return this.renewing;
	}

	/**
	 * Note that a renewal of this hold failed.
	 * @return {@code true} the first time a renewal of this hold failed
	 */
	boolean firstRenewalFailure() {
		boolean first = !this.renewalFailed;
		this.renewalFailed = true;
		return first;
	}

	void observe(@Nullable Observation observation) {
		this.observation = observation;
	}

	/**
	 * Take the hold's observation, once: the paths that end a hold can race (a release
	 * and the replacement of a dead holder's record), and an observation must be stopped
	 * only once.
	 * @return the observation, or {@code null} if none or already taken
	 */
	@Nullable Observation takeObservation() {
		return (this.observation != null) ? (Observation) OBSERVATION.getAndSet(this, (Observation) null) : null;
	}

	/**
	 * How long the lease has left as this instance counts it.
	 * @param now {@link System#nanoTime()}
	 * @return the time left, at least zero, or {@code null} without a lease
	 */
	@Nullable Duration leaseLeft(long now) {
		return (this.ttl != null) ? Duration.ofNanos(Math.max(0, this.leaseDeadline - now)) : null;
	}

	boolean leaseOver(long now) {
		return this.ttl != null && now - this.leaseDeadline > 0;
	}

	long token() {
		return this.token;
	}

	void token(long token) {
		this.token = token;
	}

	/**
	 * Register what runs if the key is lost while {@code lock} holds it.
	 * @param lock the lock that holds the key
	 * @param callback what runs if the key is lost
	 * @param inline whether the callback runs on the thread that finds the loss, rather
	 * than on the notification thread
	 * @return {@code false} if the loss was reported already: the caller runs the
	 * callback itself, now
	 */
	synchronized boolean addCallback(DefaultMutexLock lock, Runnable callback, boolean inline) {
		if (this.lossReported) {
			return false;
		}
		if (this.callbacks == null) {
			this.callbacks = new ArrayList<>(2);
		}
		this.callbacks.add(new LossCallback(lock, callback, inline));
		this.hasCallbacks = true;
		return true;
	}

	void removeCallbacks(DefaultMutexLock lock) {
		if (this.hasCallbacks) {
			synchronized (this) {
				if (this.callbacks != null) {
					this.callbacks.removeIf((registered) -> registered.lock() == lock);
				}
			}
		}
	}

	/**
	 * The callbacks to run for the loss, once: later registrations run at once instead.
	 * @return the callbacks registered so far, possibly none
	 */
	synchronized List<LossCallback> takeCallbacks() {
		this.lossReported = true;
		List<LossCallback> taken = (this.callbacks != null) ? this.callbacks : List.of();
		this.callbacks = null;
		return taken;
	}

	@Override
	public String toString() {
		return "HeldKey[" + this.key + ", holder=" + this.holder.getName() + ", state=" + this.state + "]";
	}

	/**
	 * A loss callback and the lock that registered it; {@code inline} for AutoMutex's own
	 * quick actions (an interrupt), which run on the thread that found the loss rather
	 * than on the notification thread.
	 *
	 * @param lock the lock that registered the callback
	 * @param callback what runs if the key is lost
	 * @param inline whether the callback runs on the thread that finds the loss
	 */
	record LossCallback(DefaultMutexLock lock, Runnable callback, boolean inline) {
	}

}
