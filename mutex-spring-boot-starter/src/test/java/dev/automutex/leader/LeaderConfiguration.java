package dev.automutex.leader;

import dev.automutex.MutexOperations;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The leader election recipe of the README, as a user writes it: every instance runs this
 * initiator, and the one that holds the key {@code leader:reports} leads.
 */
@Configuration(proxyBeanMethods = false)
class LeaderConfiguration {

	@Bean
	MutexLeaderInitiator leaderInitiator(MutexOperations mutex) {
		return new MutexLeaderInitiator(mutex, "leader:reports");
	}

}
