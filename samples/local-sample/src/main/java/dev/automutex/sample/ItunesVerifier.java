package dev.automutex.sample;

import java.util.concurrent.atomic.AtomicInteger;

import dev.automutex.annotation.AutoMutex;

import org.springframework.stereotype.Service;

/**
 * redis-mutex's {@code auto_mutex :perform, on: [:transaction_id]} in Java: one
 * verification per transaction id at a time, different ids in parallel. The key of
 * {@code perform("123456")} is {@code ItunesVerifier#perform:123456}.
 */
@Service
public class ItunesVerifier {

	private final AtomicInteger verified = new AtomicInteger();

	@AutoMutex(on = "#transactionId", block = "0s")
	public String perform(String transactionId) {
		this.verified.incrementAndGet();
		Work.simulate(); // a receipt check that takes a moment
		return "verified " + transactionId;
	}

	public int verifiedCount() {
		return this.verified.get();
	}

}
