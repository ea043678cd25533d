package dev.automutex.leader;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import dev.automutex.MutexLostException;
import dev.automutex.MutexOperations;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.leader.Candidate;
import org.springframework.integration.leader.DefaultCandidate;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.util.Assert;

/**
 * Spring Integration's {@link LockRegistryLeaderInitiator} on AutoMutex: leader election
 * on the store AutoMutex locks on (Redis, a database, or this JVM alone). Every instance
 * runs one for a role; the instance that holds the role's key leads, is told with an
 * {@code OnGrantedEvent} (and its candidate's {@code onGranted}), and leads until it
 * stops, yields or loses the key ({@code OnRevokedEvent}). When the leader's process
 * dies, its key frees itself after {@code expire} and another instance leads.
 * <p>
 * It differs from a {@code LockRegistryLeaderInitiator} on a registry in two ways:
 * <ul>
 * <li>Its lock is AutoMutex's, taken through {@link MutexOperations} and renewed for as
 * long as this instance leads; every heartbeat asks the store whether it still holds the
 * key, and a lost key (expired during a pause, taken over, removed by an operator)
 * revokes leadership at once. A registry of AutoMutex's used directly would not do that:
 * its nested holds never go back to the store, so the key would expire under the leader
 * and a second leader would be elected.</li>
 * <li>{@link #stop()} waits, up to {@link #setStopTimeout(Duration) a timeout}, for the
 * election thread to release the key and end. Spring Integration's only interrupts that
 * thread, which then races the application's shutdown: when the store's connections close
 * first, the key stays taken and no instance leads until it expires.</li>
 * </ul>
 * Each term has a {@link #fencingToken() fencing token} on stores that issue them.
 * <p>
 * Thread-safe, as its superclass.
 *
 * @since 0.1.0
 */
public class MutexLeaderInitiator extends LockRegistryLeaderInitiator {

	/**
	 * How long {@link #stop()} waits by default for the key to be released.
	 */
	public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);

	private final LeaderLockRegistry registry;

	private final String role;

	private final ElectionThreads threads = new ElectionThreads();

	private volatile Duration stopTimeout = DEFAULT_STOP_TIMEOUT;

	/**
	 * Create an initiator with a {@link DefaultCandidate} for a role, identified by this
	 * JVM's name ({@code pid@host}); it logs its grants and revocations.
	 * @param mutex the locking operations (the starter's {@code MutexTemplate})
	 * @param role the role, which is the key every instance competes for; not a key that
	 * anything else locks
	 */
	public MutexLeaderInitiator(MutexOperations mutex, String role) {
		this(mutex, candidate(role));
	}

	/**
	 * Create an initiator for a candidate, whose role is the key every instance competes
	 * for.
	 * @param mutex the locking operations (the starter's {@code MutexTemplate})
	 * @param candidate the candidate, called back on grants and revocations
	 */
	public MutexLeaderInitiator(MutexOperations mutex, Candidate candidate) {
		this(new LeaderLockRegistry(mutex), candidate);
	}

	private MutexLeaderInitiator(LeaderLockRegistry registry, Candidate candidate) {
		super(registry, candidate);
		this.registry = registry;
		this.role = candidate.getRole();
		super.setTaskExecutor(this.threads.on(new SimpleAsyncTaskExecutor("mutex-leader-")));
	}

	private static Candidate candidate(String role) {
		Assert.hasLength(role, "role must not be empty");
		return new DefaultCandidate(ManagementFactory.getRuntimeMXBean().getName(), role);
	}

	/**
	 * Set how long the store keeps the key of a leader whose process died before another
	 * instance can lead; the template's default {@code expire} ({@code mutex.expire}) if
	 * not set. The key is renewed while this instance leads, whatever the template's
	 * renewal setting.
	 * @param expire the time-to-live of the key, at least a millisecond
	 */
	public void setExpire(Duration expire) {
		this.registry.setExpire(expire);
	}

	/**
	 * Set how long {@link #stop()} waits for the election thread to release the key and
	 * end ({@link #DEFAULT_STOP_TIMEOUT} by default). A store that does not answer can
	 * hold it up this long; the key then frees itself after {@code expire}.
	 * @param stopTimeout the longest wait, zero for none
	 */
	public void setStopTimeout(Duration stopTimeout) {
		Assert.isTrue(stopTimeout != null && !stopTimeout.isNegative(), "stopTimeout must not be negative");
		this.stopTimeout = stopTimeout;
	}

	/**
	 * Set the executor that runs the election thread; its tasks are tracked so that
	 * {@link #stop()} can wait for them.
	 */
	@Override
	public void setTaskExecutor(AsyncTaskExecutor taskExecutor) {
		super.setTaskExecutor(this.threads.on(taskExecutor));
	}

	/**
	 * The fencing token of this instance's current term: greater than that of every
	 * earlier term, in every instance sharing the store. Pass it with the leader's writes
	 * to a resource that refuses a token smaller than the last one it accepted, so that a
	 * leader that lost its key without knowing it yet (a long pause, a partition) cannot
	 * overwrite its successor's work.
	 * @return the token
	 * @throws IllegalStateException if this instance does not lead
	 * @throws MutexLostException if its key was lost
	 * @throws UnsupportedOperationException if the store issues no tokens
	 */
	public long fencingToken() {
		return this.registry.fencingToken(this.role);
	}

	/**
	 * Stop taking part in the election; if this instance leads, release the key (the next
	 * instance waiting leads at once) and revoke leadership. Waits for the election
	 * thread to end, up to the {@link #setStopTimeout(Duration) stop timeout}.
	 */
	@Override
	public void stop() {
		super.stop();
		try {
			this.threads.awaitNone(this.stopTimeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return "MutexLeaderInitiator[role=" + this.role + ", " + this.registry + "]";
	}

}
