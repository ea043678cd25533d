package dev.automutex.leader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.integration.leader.event.OnGrantedEvent;
import org.springframework.integration.leader.event.OnRevokedEvent;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The README's leader: every instance has it, and only the leader works. (Not scheduled
 * in the tests: they have no {@code @EnableScheduling}.)
 */
@Component
class NightlyReports {

	private static final Logger logger = LoggerFactory.getLogger(NightlyReports.class);

	private final MutexLeaderInitiator leader;

	NightlyReports(MutexLeaderInitiator leader) {
		this.leader = leader;
	}

	@EventListener
	void granted(OnGrantedEvent event) {
		logger.info("This instance now leads {}", event.getRole());
	}

	@EventListener
	void revoked(OnRevokedEvent event) {
		logger.info("This instance no longer leads {}", event.getRole());
	}

	@Scheduled(cron = "0 0 2 * * *")
	void build() {
		// Every instance ticks; only the leader works.
		if (this.leader.getContext().isLeader()) {
			logger.info("Building the nightly reports");
		}
	}

}
