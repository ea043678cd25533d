package dev.automutex.sample;

import java.util.List;

import dev.automutex.MutexOperations;
import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Service;

/**
 * Several keys at once, Elixir Mutex's {@code with_lock_all}: both accounts of a transfer
 * are held together, or neither, in an order that cannot deadlock.
 */
@Service
public class Accounts {

	private final MutexOperations mutex;

	public Accounts(MutexOperations mutex) {
		this.mutex = mutex;
	}

	@AutoMutex(name = "account", all = { "#from", "#to" })
	public String transfer(long from, long to, int amount) { // keys account:1 and
																// account:2
		return "moved " + amount + " from " + from + " to " + to;
	}

	public String audit(Account buyer, Account seller) {
		return this.mutex.withLockAll(List.of(buyer, seller), () -> "audited " + buyer.id() + " and " + seller.id());
	}

	public record Account(long id) {
	}

}
