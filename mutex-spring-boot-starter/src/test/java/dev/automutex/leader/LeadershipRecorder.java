package dev.automutex.leader;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;

/**
 * Test listener beside the recipe: counts this application's grants and revocations,
 * notes when it was last granted and its term's fencing token, and keeps, across every
 * application of the JVM, how many lead at once by their own events. Says {@code LEADER}
 * on standard output when granted, for a parent process to read.
 */
class LeadershipRecorder {

	/** Applications of this JVM that lead now, by their events. */
	static final AtomicInteger leaders = new AtomicInteger();

	/** The most applications of this JVM that led at once. */
	static final AtomicInteger mostAtOnce = new AtomicInteger();

	final AtomicInteger granted = new AtomicInteger();

	final AtomicInteger revoked = new AtomicInteger();

	/** {@link System#nanoTime()} of the last grant. */
	final AtomicLong grantedAt = new AtomicLong();

	/** The fencing token of the last term, asked for when granted, as the README does. */
	final AtomicLong term = new AtomicLong();

	private final MutexLeaderInitiator leader;

	LeadershipRecorder(MutexLeaderInitiator leader) {
		this.leader = leader;
	}

	static void reset() {
		leaders.set(0);
		mostAtOnce.set(0);
	}

	@EventListener
	void granted(OnGrantedEvent event) {
		this.grantedAt.set(System.nanoTime());
		this.term.set(this.leader.fencingToken());
		this.granted.incrementAndGet();
		mostAtOnce.accumulateAndGet(leaders.incrementAndGet(), Math::max);
		System.out.println("LEADER");
		System.out.flush();
	}

	@EventListener
	void revoked(OnRevokedEvent event) {
		this.revoked.incrementAndGet();
		leaders.decrementAndGet();
	}

}
