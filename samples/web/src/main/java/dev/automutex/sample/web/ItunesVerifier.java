package dev.automutex.sample.web;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.automutex.annotation.AutoMutex;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * redis-mutex's {@code auto_mutex :perform, on: [:transaction_id], after_failure:}: one
 * verification per transaction id at a time. A call for an id being verified is answered
 * by the {@code verificationBusy} failure handler
 * ({@link WebSampleConfiguration#verificationBusy()}).
 */
@Service
public class ItunesVerifier {

	private final Duration work;

	public ItunesVerifier(@Value("${sample.work}") Duration work) {
		this.work = work;
	}

	@AutoMutex(on = "#transactionId", block = "0s", afterFailure = "verificationBusy")
	public String perform(String transactionId) {
		LockSupport.parkNanos(this.work.toNanos()); // a receipt check that takes a moment
		return "verified " + transactionId + "\n";
	}

}
