package dev.automutex.annotation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.automutex.MutexLock;
import dev.automutex.MutexTemplate;
import dev.automutex.store.LocalMutexStore;
import org.junit.jupiter.api.Test;

import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A nested hold of a key (re-entrant, same thread) has the fencing token of the outermost
 * hold, so that the outer hold's writes after a nested call are not refused by a resource
 * that checks tokens.
 */
class NestedFencingTokenTests {

	@Test
	void nestedLockHasTheOuterLocksToken() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		try (MutexLock outer = mutex.lock("k")) {
			long outerToken = outer.fencingToken();
			try (MutexLock nested = mutex.lock("k")) {
				assertThat(nested.fencingToken()).isEqualTo(outerToken);
			}
			assertThat(outer.fencingToken()).isEqualTo(outerToken);
		}
	}

	/** The nested hold asks first: it still gets the token the outer hold has. */
	@Test
	void nestedLockAskedFirstHasTheTokenTheOuterLockThenGets() {
		MutexTemplate mutex = new MutexTemplate(new LocalMutexStore());
		try (MutexLock outer = mutex.lock("k")) {
			long nestedToken;
			try (MutexLock nested = mutex.lock("k")) {
				nestedToken = nested.fencingToken();
			}
			assertThat(outer.fencingToken()).isEqualTo(nestedToken);
		}
	}

	@Test
	void nestedAutoMutexOnTheSameKeyReceivesTheOuterToken() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Ledger ledger = context.getBean(Ledger.class);
			Account account = context.getBean(Account.class);
			ledger.transfer("a", -1);
			assertThat(account.tokensSeen).hasSize(3);
			assertThat(account.tokensSeen.get(1)).as("token of the nested @AutoMutex call")
				.isEqualTo(account.tokensSeen.get(0));
		}
	}

	/**
	 * The outer hold writes, calls a nested hold that writes, and writes again: all three
	 * writes are one hold's.
	 */
	@Test
	void resourceRefusingSmallerTokensAcceptsEveryWriteOfOneHoldAcrossANestedCall() {
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Config.class)) {
			Ledger ledger = context.getBean(Ledger.class);
			Account account = context.getBean(Account.class);
			ledger.transfer("a", -1);
			assertThat(account.refused).isEmpty();
			assertThat(account.entries).containsExactly("debit a", "fee a", "credit a");
		}
	}

	/**
	 * A resource that refuses a write whose token is smaller than the largest it has
	 * stored (the README's {@code UPDATE ... WHERE fencing_token <= :token}).
	 */
	static class Account {

		final Map<String, Long> lastToken = new ConcurrentHashMap<>();

		final List<Long> tokensSeen = new CopyOnWriteArrayList<>();

		final List<String> entries = new CopyOnWriteArrayList<>();

		final List<String> refused = new CopyOnWriteArrayList<>();

		void write(String id, String entry, long token) {
			this.tokensSeen.add(token);
			long stored = this.lastToken.getOrDefault(id, Long.MIN_VALUE);
			if (token < stored) {
				this.refused.add(entry + " (token " + token + " < " + stored + ")");
				return;
			}
			this.lastToken.put(id, token);
			this.entries.add(entry);
		}

	}

	static class Ledger {

		private final Account account;

		private final Fees fees;

		Ledger(Account account, Fees fees) {
			this.account = account;
			this.fees = fees;
		}

		@AutoMutex(name = "account", on = "#id")
		public void transfer(String id, @FencingToken long token) {
			this.account.write(id, "debit " + id, token);
			this.fees.charge(id, -1);
			this.account.write(id, "credit " + id, token);
		}

	}

	static class Fees {

		private final Account account;

		Fees(Account account) {
			this.account = account;
		}

		@AutoMutex(name = "account", on = "#id")
		public void charge(String id, @FencingToken long token) {
			this.account.write(id, "fee " + id, token);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoMutex(proxyTargetClass = true)
	static class Config {

		@Bean
		MutexTemplate mutexTemplate() {
			return new MutexTemplate(new LocalMutexStore());
		}

		@Bean
		Account account() {
			return new Account();
		}

		@Bean
		Fees fees(Account account) {
			return new Fees(account);
		}

		@Bean
		Ledger ledger(Account account, Fees fees) {
			return new Ledger(account, fees);
		}

	}

}
