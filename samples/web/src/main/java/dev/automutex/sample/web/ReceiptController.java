package dev.automutex.sample.web;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Verifies a receipt by transaction id ({@link ItunesVerifier}).
 */
@RestController
public class ReceiptController {

	private final ItunesVerifier verifier;

	public ReceiptController(ItunesVerifier verifier) {
		this.verifier = verifier;
	}

	@PostMapping("/receipts/{transactionId}/verify")
	public String verify(@PathVariable String transactionId) {
		return this.verifier.perform(transactionId);
	}

}
